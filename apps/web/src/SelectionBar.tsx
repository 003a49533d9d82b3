import type { ReactNode } from 'react';

interface Props {
  count: number;
  onClear: () => void;
  /** The buttons for what can be done with the selection here. */
  children: ReactNode;
}

/** Shown while photos are selected: how many, what to do with them, and a way out. */
export function SelectionBar({ count, onClear, children }: Props) {
  if (count === 0) return null;
  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected photos" data-testid="selection-bar">
      <span className="selection-count" role="status" data-testid="selection-bar-count">
        {count} selected
      </span>
      <span className="spacer" />
      {children}
      <button type="button" onClick={onClear} data-testid="clear-selection">
        Clear
      </button>
    </div>
  );
}
