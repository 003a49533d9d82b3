import { describe, expect, it } from 'vitest';
import { toggled, withRange } from './gallery-selection';

const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const sorted = (set: ReadonlySet<string>) => [...set].sort();

describe('gallery selection', () => {
  it('toggles one photo without touching the given set', () => {
    const none: ReadonlySet<string> = new Set();
    const one = toggled(none, 'b');
    expect(sorted(one)).toEqual(['b']);
    expect(sorted(toggled(one, 'b'))).toEqual([]);
    expect(none.size).toBe(0);
  });

  it('selects from the anchor to the clicked photo, both ways, keeping what was selected', () => {
    expect(sorted(withRange(new Set(['b']), ids, 'b', 'e'))).toEqual(['b', 'c', 'd', 'e']);
    expect(sorted(withRange(new Set(['f']), ids, 'e', 'c'))).toEqual(['c', 'd', 'e', 'f']);
    expect(sorted(withRange(new Set(), ids, 'd', 'd'))).toEqual(['d']);
  });

  it('selects only the clicked photo without an anchor, or when the anchor left the list; ignores an unknown target', () => {
    expect(sorted(withRange(new Set(['a']), ids, null, 'c'))).toEqual(['a', 'c']);
    expect(sorted(withRange(new Set(), ids, 'gone', 'c'))).toEqual(['c']);
    expect(sorted(withRange(new Set(['a']), ids, 'a', 'gone'))).toEqual(['a']);
  });
});
