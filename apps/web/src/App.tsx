import { useEffect, useState } from 'react';
import { AlbumsPage, SharedPage } from './AlbumsPage';
import { AlbumView } from './AlbumView';
import { api } from './api';
import { AppNav } from './AppNav';
import { AuthScreen } from './AuthScreen';
import { LinkPage } from './LinkPage';
import { PhotosPage } from './PhotosPage';
import { session, useSession, type User } from './session';
import { useGallery } from './use-gallery';
import { useLiveStatus, type LiveState } from './use-live-status';
import { useRoute, type RouteControls } from './use-route';

export function App() {
  const state = useSession();
  const routing = useRoute();
  // A reload keeps the session: the cookies are still there; ask the server whose they are.
  useEffect(() => {
    if (session.state().status !== 'checking') return;
    api.currentUser().then(
      (user) => (user ? session.signIn(user) : session.signOut()),
      () => session.signOut('The server could not be reached. Check your connection and reload.'),
    );
  }, []);
  // A share link's page is public: it never waits for, nor asks for, a session.
  if (routing.route.view === 'link') return <LinkPage token={routing.route.token} />;
  if (state.status === 'checking') return <main className="auth" aria-busy="true" data-testid="session-checking" />;
  // Another user is another gallery: start from a clean one.
  return state.status === 'signed-in' ? <Home key={state.user.id} user={state.user} routing={routing} /> : <AuthScreen />;
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

function Home({ user, routing }: { user: User; routing: RouteControls }) {
  // The gallery lives as long as the session, so going to Albums and back keeps its pages.
  const gallery = useGallery();
  const live = useLiveStatus(true, gallery.apply, gallery.refresh);
  const { route, navigate, openPhoto, closePhoto } = routing;
  // An album's URL does not say whether it is mine or shared with me: the album view tells, once loaded.
  const [sharedAlbum, setSharedAlbum] = useState<string | null>(null);
  const email = user.email;

  return (
    <>
      <header className="topbar">
        <h1 className="brand">Photos</h1>
        <span className={`live ${live}`} data-testid="live-status" data-state={live} title="Status updates from the server">
          {LIVE_LABEL[live]}
        </span>
        <AppNav route={route} navigate={navigate} inShared={route.view === 'album' && route.albumId === sharedAlbum} />
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
        {(route.view === 'photos' || route.view === 'unknown') && (
          <PhotosPage gallery={gallery} photoId={route.view === 'photos' ? route.photoId : null} openPhoto={openPhoto} closePhoto={closePhoto} />
        )}
        {route.view === 'albums' && <AlbumsPage onOpen={(albumId) => navigate({ view: 'album', albumId, photoId: null })} />}
        {route.view === 'shared' && <SharedPage onOpen={(albumId) => navigate({ view: 'album', albumId, photoId: null })} />}
        {route.view === 'album' && (
          <AlbumView
            key={route.albumId}
            albumId={route.albumId}
            photoId={route.photoId}
            openPhoto={openPhoto}
            closePhoto={closePhoto}
            onLoaded={(album) => setSharedAlbum(album.access === 'owner' ? null : album.id)}
            onBack={(access) => navigate({ view: access && access !== 'owner' ? 'shared' : 'albums' })}
          />
        )}
      </main>
    </>
  );
}
