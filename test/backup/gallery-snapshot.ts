/** A user's gallery as the rebuild tests compare it, before the metadata database is lost and after. */
import { apiClient } from '../support/public-api.js';

type Photo = { id: string; status: string; variants?: Record<string, { url: string }> } & Record<string, unknown>;

/** A user's whole gallery: each photo's detail, signed URLs without their signature (it has an expiry), and whether each variant loads. */
export async function gallery(url: string, token: string) {
  const api = apiClient(url);
  const photos = [];
  for (const { id } of (await api.list(token, '?limit=100')).items) {
    const photo = (await (await api.get(token, id)).json()) as Photo;
    const loads = await Promise.all(Object.values(photo.variants ?? {}).map(async ({ url: variant }) => (await fetch(new URL(variant, url))).status));
    photos.push({ ...JSON.parse(JSON.stringify(photo).replace(/\?[^"]*/g, '')), loads });
  }
  return photos;
}

/** All of a user's `count` photos are known to metadata and done processing (an empty list is not settled). */
export const settled = async (url: string, token: string, count: number) => {
  const { items } = await apiClient(url).list(token, '?limit=100');
  return items.length === count && items.every((p) => p.status !== 'processing');
};
