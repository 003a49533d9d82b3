import { useCallback, useEffect, useRef, useState } from 'react';
import { uploadPhoto, type UploadHandle } from './api';
import { errorMessage } from './problem';
import type { Photo } from './types';

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'error' | 'cancelled';

export interface Upload {
  key: string;
  name: string;
  bytes: number;
  status: UploadStatus;
  /** Bytes sent so far. */
  sent: number;
  /** The server's explanation of a refusal (its problem+json `detail`), or a note on success. */
  message?: string;
  /** HTTP status of a refusal (415 type, 413 size, 422 pixels, 400 empty...; 0 = network). */
  httpStatus?: number;
  photoId?: string;
}

const PARALLEL = 3;
let counter = 0;

/**
 * A queue of uploads, one request per file, {@link PARALLEL} at a time, each with its own progress and
 * verdict. `onAccepted` gets each photo the server accepted, at once (the gallery shows it as processing).
 */
export function useUploads(onAccepted: (photo: Photo) => void) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const files = useRef(new Map<string, File>());
  const handles = useRef(new Map<string, UploadHandle>());
  const accepted = useRef(onAccepted);
  accepted.current = onAccepted;

  const update = useCallback((key: string, patch: Partial<Upload>) => {
    setUploads((list) => list.map((upload) => (upload.key === key ? { ...upload, ...patch } : upload)));
  }, []);

  const start = useCallback(
    (key: string) => {
      const file = files.current.get(key);
      if (!file) return;
      files.current.delete(key);
      let last = 0;
      const handle = uploadPhoto(file, (sent) => {
        // Progress events come fast; a re-render per percent is plenty.
        if (sent - last >= file.size / 100 || sent === file.size) {
          last = sent;
          update(key, { sent });
        }
      });
      handles.current.set(key, handle);
      handle.done
        .then(
          (photo) => {
            update(key, {
              status: 'done',
              sent: file.size,
              photoId: photo.id,
              ...(photo.duplicate ? { message: 'You had already uploaded this photo.' } : {}),
            });
            accepted.current(photo);
          },
          (error: unknown) => {
            if (error instanceof DOMException && error.name === 'AbortError') update(key, { status: 'cancelled', message: 'Cancelled.' });
            else update(key, { status: 'error', message: errorMessage(error), httpStatus: (error as { status?: number }).status ?? 0 });
          },
        )
        .finally(() => handles.current.delete(key));
    },
    [update],
  );

  // Starts queued uploads while fewer than PARALLEL are under way.
  useEffect(() => {
    const active = uploads.filter((upload) => upload.status === 'uploading').length;
    const next = uploads.filter((upload) => upload.status === 'queued').slice(0, Math.max(0, PARALLEL - active));
    if (next.length === 0) return;
    setUploads((list) => list.map((upload) => (next.some((n) => n.key === upload.key) ? { ...upload, status: 'uploading' } : upload)));
    next.forEach((upload) => start(upload.key));
  }, [uploads, start]);

  const add = useCallback((list: FileList | File[]) => {
    const added: Upload[] = Array.from(list, (file) => {
      const key = `upload-${++counter}`;
      files.current.set(key, file);
      return { key, name: file.name, bytes: file.size, status: 'queued', sent: 0 };
    });
    if (added.length > 0) setUploads((current) => [...added, ...current]);
  }, []);

  const cancel = useCallback(
    (key: string) => {
      const handle = handles.current.get(key);
      if (handle) handle.abort();
      else if (files.current.delete(key)) update(key, { status: 'cancelled', message: 'Cancelled.' });
    },
    [update],
  );

  const clearFinished = useCallback(() => {
    setUploads((list) => list.filter((upload) => upload.status === 'queued' || upload.status === 'uploading'));
  }, []);

  useEffect(() => {
    const open = handles.current;
    return () => open.forEach((handle) => handle.abort());
  }, []);

  return { uploads, add, cancel, clearFinished };
}
