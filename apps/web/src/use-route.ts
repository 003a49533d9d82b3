import { useCallback, useEffect, useState } from 'react';

/**
 * Where the app is, read from and written to the URL with history.pushState: every view can be linked,
 * reloaded (the BFF answers any non-API path with the app shell) and left with the browser's Back button.
 *
 * /                           the caller's photos       /photos/<id>               ... with one open
 * /albums                     the caller's albums       /albums/<id>               one album (theirs or shared)
 * /albums/<id>/photos/<pid>   ... with one photo open   /shared                    albums shared with the caller
 * /s/<token>                  a share link's public page (no session needed)
 */
export type Route =
  | { view: 'photos'; photoId: string | null }
  | { view: 'albums' }
  | { view: 'album'; albumId: string; photoId: string | null }
  | { view: 'shared' }
  | { view: 'link'; token: string }
  | { view: 'unknown' };

const UUID = '[0-9a-fA-F-]{36}';
const PHOTO_PATH = new RegExp(`^/photos/(${UUID})/?$`);
const ALBUM_PATH = new RegExp(`^/albums/(${UUID})(?:/photos/(${UUID}))?/?$`);
// Tokens are URL-safe base64 (or hex); anything else is not a link of ours.
const LINK_PATH = /^\/s\/([A-Za-z0-9_-]{8,200})\/?$/;

export function routeFromPath(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { view: 'photos', photoId: null };
  if (pathname === '/albums' || pathname === '/albums/') return { view: 'albums' };
  if (pathname === '/shared' || pathname === '/shared/') return { view: 'shared' };
  const photo = PHOTO_PATH.exec(pathname);
  if (photo) return { view: 'photos', photoId: photo[1]! };
  const album = ALBUM_PATH.exec(pathname);
  if (album) return { view: 'album', albumId: album[1]!, photoId: album[2] ?? null };
  const link = LINK_PATH.exec(pathname);
  if (link) return { view: 'link', token: link[1]! };
  return { view: 'unknown' };
}

export function pathOf(route: Route): string {
  switch (route.view) {
    case 'photos':
      return route.photoId ? `/photos/${route.photoId}` : '/';
    case 'albums':
      return '/albums';
    case 'album':
      return `/albums/${route.albumId}${route.photoId ? `/photos/${route.photoId}` : ''}`;
    case 'shared':
      return '/shared';
    case 'link':
      return `/s/${route.token}`;
    case 'unknown':
      return '/';
  }
}

/** The photo id in a path like /photos/<uuid> (or an album's /albums/<uuid>/photos/<uuid>), else null. */
export function photoIdFromPath(pathname: string): string | null {
  const route = routeFromPath(pathname);
  return route.view === 'photos' || route.view === 'album' ? route.photoId : null;
}

/** The same view without the open photo: what closing the photo goes back to. */
function withoutPhoto(route: Route): Route {
  return route.view === 'photos' || route.view === 'album' ? { ...route, photoId: null } : route;
}

type Listener = () => void;
const listeners = new Set<Listener>();
const notify = () => listeners.forEach((listener) => listener());

/** Goes to `route`, adding a history entry (or replacing the current one). */
export function navigate(route: Route, options: { replace?: boolean; state?: object } = {}): void {
  const path = pathOf(route);
  if (options.replace) history.replaceState(options.state ?? null, '', path);
  else if (path !== location.pathname) history.pushState(options.state ?? null, '', path);
  notify();
}

export interface RouteControls {
  route: Route;
  navigate: typeof navigate;
  /** Opens a photo over the current list (its URL names it). */
  openPhoto(id: string): void;
  /** Closes the open photo: Back when it was opened from the list, else to the list's own URL. */
  closePhoto(): void;
}

/** The current route, re-rendering on navigation and on Back / Forward. */
export function useRoute(): RouteControls {
  const [route, setRoute] = useState(() => routeFromPath(location.pathname));

  useEffect(() => {
    const update = () => setRoute(routeFromPath(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);

  const openPhoto = useCallback((id: string) => {
    const current = routeFromPath(location.pathname);
    const next: Route = current.view === 'album' ? { ...current, photoId: id } : { view: 'photos', photoId: id };
    navigate(next, { state: { fromList: true } });
  }, []);

  const closePhoto = useCallback(() => {
    if ((history.state as { fromList?: boolean } | null)?.fromList) history.back();
    else navigate(withoutPhoto(routeFromPath(location.pathname)), { replace: true });
  }, []);

  return { route, navigate, openPhoto, closePhoto };
}
