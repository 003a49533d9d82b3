/**
 * Selection rules of the gallery, pure: a click toggles one photo; a shift-click selects every photo
 * from the anchor (the photo clicked last) to the clicked one, in list order, as file managers do.
 */

/** `selection` with `id` added or removed. */
export function toggled(selection: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(selection);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/**
 * `selection` plus every id between `anchor` and `target` (both included, either order) in `ids`. With no
 * anchor, or one no longer in the list, only `target` is added.
 */
export function withRange(selection: ReadonlySet<string>, ids: readonly string[], anchor: string | null, target: string): ReadonlySet<string> {
  const to = ids.indexOf(target);
  const from = anchor === null ? -1 : ids.indexOf(anchor);
  const next = new Set(selection);
  if (to === -1) return next;
  if (from === -1) {
    next.add(target);
    return next;
  }
  for (let i = Math.min(from, to); i <= Math.max(from, to); i++) next.add(ids[i]!);
  return next;
}
