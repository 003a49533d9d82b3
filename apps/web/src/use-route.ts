import { useCallback, useEffect, useState } from 'react';

const PHOTO_PATH = /^\/photos\/([0-9a-fA-F-]{36})\/?$/;

/** The photo id in a path like /photos/<uuid>, else null. */
export function photoIdFromPath(pathname: string): string | null {
  return PHOTO_PATH.exec(pathname)?.[1] ?? null;
}

/**
 * The open photo lives in the URL (/photos/<id>), so it can be linked, reloaded (the BFF falls back to
 * the app shell) and closed with the browser's Back button.
 */
export function useOpenPhoto(): { openId: string | null; open(id: string): void; close(): void } {
  const [openId, setOpenId] = useState(() => photoIdFromPath(location.pathname));

  useEffect(() => {
    const onPop = () => setOpenId(photoIdFromPath(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const open = useCallback((id: string) => {
    history.pushState({ fromGallery: true }, '', `/photos/${id}`);
    setOpenId(id);
  }, []);

  const close = useCallback(() => {
    if ((history.state as { fromGallery?: boolean } | null)?.fromGallery) history.back();
    else history.replaceState(null, '', '/');
    setOpenId(null);
  }, []);

  return { openId, open, close };
}
