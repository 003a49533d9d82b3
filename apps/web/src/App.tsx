import { useCallback } from 'react';
import { AuthScreen } from './AuthScreen';
import { Gallery } from './Gallery';
import { PhotoDetail } from './PhotoDetail';
import { claimsOf, session, useToken } from './session';
import { UploadDropzone } from './UploadDropzone';
import { useGallery } from './use-gallery';
import { useLiveStatus, type LiveState } from './use-live-status';
import { useOpenPhoto } from './use-route';

export function App() {
  const token = useToken();
  // A new token is a new person (or a new session): start from a clean gallery.
  return token ? <Home key={token} token={token} /> : <AuthScreen />;
}

const LIVE_LABEL: Record<LiveState, string> = { open: 'Live', connecting: 'Connecting…', closed: 'Offline' };

function Home({ token }: { token: string }) {
  const gallery = useGallery();
  const live = useLiveStatus(token, gallery.apply, gallery.refresh);
  const { openId, open, close } = useOpenPhoto();
  const { remove } = gallery;
  const email = claimsOf(token).email;

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
        <button type="button" onClick={() => session.signOut()} data-testid="logout">
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
