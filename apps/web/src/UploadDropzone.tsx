import { useEffect, useRef, useState } from 'react';
import { formatBytes } from './format';
import type { Photo } from './types';
import { useUploads, type Upload } from './use-uploads';

const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/**
 * Drop photos anywhere on the page (or pick them with the button): each file is its own upload with its
 * own progress bar and its own verdict.
 */
export function UploadDropzone({ onAccepted }: { onAccepted: (photo: Photo) => void }) {
  const { uploads, add, cancel, clearFinished } = useUploads(onAccepted);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  // The whole window is the drop target, so a near miss never makes the browser navigate to the file.
  useEffect(() => {
    let depth = 0;
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth++;
      setDragging(true);
    };
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const leave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      if (event.dataTransfer?.files.length) add(event.dataTransfer.files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [add]);

  const finished = uploads.some((upload) => upload.status !== 'queued' && upload.status !== 'uploading');

  return (
    <section className="upload" aria-labelledby="upload-title">
      <div className={`dropzone${dragging ? ' dragging' : ''}`} data-testid="dropzone">
        <h2 id="upload-title" className="visually-hidden">
          Upload photos
        </h2>
        <p>
          <span className="drop-text">Drag photos here, or </span>
          <button type="button" className="primary" onClick={() => input.current?.click()} data-testid="choose-files">
            Choose photos
          </button>
        </p>
        <p className="hint">JPEG, PNG, WebP, GIF, AVIF, HEIC… one request per file.</p>
        <input
          ref={input}
          type="file"
          multiple
          accept="image/*"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Choose photos to upload"
          data-testid="file-input"
          onChange={(event) => {
            if (event.target.files?.length) add(event.target.files);
            event.target.value = '';
          }}
        />
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop to upload
        </div>
      )}
      {uploads.length > 0 && (
        <div className="uploads">
          <div className="uploads-head">
            <h3>Uploads</h3>
            {finished && (
              <button type="button" className="link" onClick={clearFinished} data-testid="clear-uploads">
                Clear finished
              </button>
            )}
          </div>
          <ul aria-live="polite">
            {uploads.map((upload) => (
              <UploadItem key={upload.key} upload={upload} onCancel={() => cancel(upload.key)} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

const LABEL: Record<Upload['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Uploaded',
  error: 'Rejected',
  cancelled: 'Cancelled',
};

function UploadItem({ upload, onCancel }: { upload: Upload; onCancel: () => void }) {
  const percent = upload.bytes > 0 ? Math.min(100, Math.round((upload.sent / upload.bytes) * 100)) : upload.status === 'done' ? 100 : 0;
  const active = upload.status === 'queued' || upload.status === 'uploading';
  return (
    <li className={`upload-item ${upload.status}`} data-testid="upload-item" data-status={upload.status} data-photo-id={upload.photoId}>
      <div className="upload-line">
        <span className="upload-name" title={upload.name}>
          {upload.name}
        </span>
        <span className="upload-meta">
          {formatBytes(upload.bytes)} · {LABEL[upload.status]}
          {upload.status === 'uploading' ? ` ${percent}%` : ''}
        </span>
        {active && (
          <button type="button" className="link" onClick={onCancel} aria-label={`Cancel upload of ${upload.name}`}>
            Cancel
          </button>
        )}
      </div>
      {upload.status !== 'error' && upload.status !== 'cancelled' && <progress max={100} value={percent} aria-label={`Upload progress of ${upload.name}`} />}
      {upload.status === 'error' && (
        <p className="error" role="alert" data-testid="upload-error" data-http-status={upload.httpStatus}>
          {upload.message}
        </p>
      )}
      {upload.status !== 'error' && upload.message && <p className="hint">{upload.message}</p>}
    </li>
  );
}
