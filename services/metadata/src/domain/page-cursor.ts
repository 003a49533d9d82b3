/** A position in one owner's photos, newest first: the sort key of the last photo of a page. */
export interface PagePosition {
  uploadedAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The opaque cursor of a position: base64url of `[uploadedAt, id]`. The sort key of a photo never
 * changes, so a cursor stays valid while photos arrive or go: the next page starts right after it.
 */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.uploadedAt.toISOString(), position.id])).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): PagePosition | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [uploadedAt, id] = parsed as unknown[];
  if (typeof uploadedAt !== 'string' || typeof id !== 'string' || !UUID.test(id)) return undefined;
  const date = new Date(uploadedAt);
  return Number.isNaN(date.getTime()) ? undefined : { uploadedAt: date, id };
}
