import { useId, type ReactNode } from 'react';
import { useModalDialog } from './use-modal-dialog';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}

/**
 * A modal dialog (the native <dialog>, so focus stays inside and the page behind is inert) with a title
 * and a close button. Escape closes this one only: a modal opened over the photo detail must not close
 * the detail too, so the key stops here.
 */
export function Modal({ title, onClose, children, testId }: Props) {
  const { dialog, close } = useModalDialog(onClose);
  const titleId = useId();

  return (
    <dialog
      ref={dialog}
      className="modal"
      aria-labelledby={titleId}
      data-testid={testId}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        close();
      }}
      onCancel={(event) => {
        event.preventDefault();
        event.stopPropagation();
        close();
      }}
      onClick={(event) => {
        if (event.target === dialog.current) close();
      }}
    >
      <div className="modal-body">
        <header className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon" onClick={close} aria-label="Close" data-testid="close-modal">
            ×
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
