import { thumbHashToDataURL } from 'thumbhash';

const cache = new Map<string, string | null>();
const MAX_CACHED = 2000;

/** The PNG data URL of a base64 ThumbHash (cached: thousands of tiles re-render), or null if unreadable. */
export function placeholderDataUrl(hash: string | null | undefined): string | null {
  if (!hash) return null;
  const cached = cache.get(hash);
  if (cached !== undefined) return cached;
  let url: string | null;
  try {
    const bytes = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
    url = thumbHashToDataURL(bytes);
  } catch {
    url = null;
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(hash, url);
  return url;
}
