import { useCallback, useEffect } from 'react';
import { api } from './api';
import { AuthScreen } from './AuthScreen';
import { Gallery } from './Gallery';
import { PhotoDetail } from './PhotoDetail';
import { session, useSession, type User } from './session';
import { UploadDropzone } from './UploadDropzone';
import { useGallery } from './use-gallery';
import { useLiveStatus, type LiveState } from './use-live-status';
import { useOpenPhoto } from './use-route';

export function App() {
  const state = useSession();
  // A reload keeps the session: the cookies are still there; ask the server whose they are.
  useEffect(() => {
    if (session.state().status !== 'checking') return;
    api.currentUser().then(
      (user) => (user ? session.signIn(user) : session.signOut()),
      () => session.signOut('The server could not be reached. Check your connection and reload.'),
    );
  }, []);
  if (state.status === 'checking') return <main className="auth" aria-busy="true" data-testid="session-checking" />;
  // Another user is another gallery: start from a clean one.
  return state.status === 'signed-in' ? <Home key={state.user.id} user={state.user} /> : <AuthScreen />;
}

const LIVE_LABEL: Record<LiveState, string> = { open: 'Live', connecting: 'Connecting…', closed: 'Offline' };

async function logOut() {
  try {
    await api.logout();
  } finally {
    // Even when the server could not be told: this tab forgets the user.
    session.signOut();
  }
}

function Home({ user }: { user: User }) {
  const gallery = useGallery();
  const live = useLiveStatus(true, gallery.apply, gallery.refresh);
  const { openId, open, close } = useOpenPhoto();
  const { remove } = gallery;
  const email = user.email;

  const onDeleted = useCallback(
    (id: string) => {
      remove(id);
      close();
    },
    [remove, close],
  );

  return (
    <>
      <header className="topbar">
        <h1 className="brand">Photos</h1>
        <span className={`live ${live}`} data-testid="live-status" data-state={live} title="Status updates from the server">
          {LIVE_LABEL[live]}
        </span>
        <span className="spacer" />
        {email && (
          <span className="who" title={email}>
            {email}
          </span>
        )}
        <button type="button" onClick={() => void logOut()} data-testid="logout">
          Log out
        </button>
      </header>
      <main className="home">
        <UploadDropzone onAccepted={gallery.addUploaded} />
        <Gallery gallery={gallery} onOpen={open} />
      </main>
      {openId && <PhotoDetail key={openId} id={openId} photo={gallery.items.find((photo) => photo.id === openId)} onClose={close} onDeleted={onDeleted} />}
    </>
  );
}
