import { useCallback, useEffect, useRef } from 'react';

/**
 * A native <dialog> (focus stays inside, the page behind is inert) shown as a modal when it mounts, focus
 * given back to what had it when it unmounts, and a `close` that calls `onClose` once, whatever closes it
 * (Escape can arrive as a keydown and a cancel event, then the button, the backdrop).
 */
export function useModalDialog(onClose: () => void) {
  const dialog = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const closed = useRef(false);
  const close = useCallback(() => {
    if (closed.current) return;
    closed.current = true;
    onCloseRef.current();
  }, []);

  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (element && !element.open) {
      if (typeof element.showModal === 'function') element.showModal();
      else element.setAttribute('open', '');
    }
    // Not element.close(): its close event would re-enter `close`; unmounting takes it off the top layer.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return { dialog, close };
}
