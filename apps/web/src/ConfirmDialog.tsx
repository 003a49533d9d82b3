import { useState, type ReactNode } from 'react';
import { Modal } from './Modal';
import { errorMessage } from './problem';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Does the thing; a throw keeps the dialog open with the message. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** "Are you sure?" for what cannot be undone; Keep is focused first. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose} testId="confirm-dialog">
      <div className="modal-section">{children}</div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="detail-actions">
        <button type="button" onClick={onClose} disabled={busy} autoFocus data-testid="confirm-cancel">
          Keep
        </button>
        <button type="button" className="danger solid" onClick={() => void confirm()} disabled={busy} data-testid="confirm-ok">
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
