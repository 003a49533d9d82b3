/**
 * The gallery pages this BFF replica answered (the public JSON, its variant URLs signed), each under the
 * caller and the query it answered, with the ETag of the metadata page it was made from (quoted, as metadata sent it). The gallery
 * route asks metadata with that ETag (If-None-Match): a 304 means metadata's page for this caller and
 * query is byte for byte the one this text was made from, so the text is sent again, without reading,
 * rewriting or signing 50 photos. Anything else (a 200, a new ETag) replaces it. Freshness is metadata's
 * to decide on every request; this only saves the work of making the same answer twice.
 *
 * An entry is reused only while `variantsVersion` (see MediaUrls.variantsVersion) is the one it was
 * signed under. `maxBytes` bounds the memory (least recently used pages go first).
 */
export function galleryPageCache(options: { maxBytes: number; variantsVersion: () => number }) {
  const entries = new Map<string, { etag: string; body: Buffer; version: number }>();
  let bytes = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    bytes -= entry.body.length;
  };

  return {
    /**
     * The key of a caller's page: the query as sent to metadata (URL-encoded, so without a line break:
     * the first one ends it) and the caller's verified subject.
     */
    keyOf: (subject: string, query: string) => `${query}\n${subject}`,
    /** What to make the page under: the version of the variant URLs signed from now on. */
    version: () => options.variantsVersion(),
    /** The page kept under `key` if its URLs may still be handed out (else it is dropped). */
    get(key: string): { etag: string; body: Buffer } | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      remove(key);
      if (entry.version !== options.variantsVersion()) return undefined;
      // Put back last: the most recently used go last.
      entries.set(key, entry);
      bytes += entry.body.length;
      return entry;
    },
    /** Keeps `body`, made from metadata's page `etag` with URLs signed under `version`. */
    set(key: string, etag: string, body: Buffer, version: number): void {
      remove(key);
      if (body.length > options.maxBytes) return;
      while (entries.size > 0 && bytes + body.length > options.maxBytes) remove(entries.keys().next().value!);
      entries.set(key, { etag, body, version });
      bytes += body.length;
    },
    /** Forgets the page under `key` (metadata answered it with no ETag, or an error). */
    delete: remove,
    get size() {
      return entries.size;
    },
  };
}

export type GalleryPageCache = ReturnType<typeof galleryPageCache>;
