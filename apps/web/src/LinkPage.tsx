import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { LinkedPhoto } from './LinkedPhoto';
import { Modal } from './Modal';
import { ApiError, errorMessage } from './problem';
import { Gallery } from './Gallery';
import { linkApi } from './share-links';
import type { SharedLink as LinkedItem } from './types';
import { usePhotoPages } from './use-album-photos';

type LinkState =
  | { status: 'loading' }
  | { status: 'password'; wrong: string | null }
  | { status: 'failed'; message: string; code: 'gone' | 'expired' | 'error' }
  | { status: 'open'; item: LinkedItem };

const hasCode = (error: unknown, code: string) => error instanceof ApiError && (error.problem.code === code || (error.problem.type ?? '').endsWith(`/${code}`));

function failure(error: unknown): LinkState {
  if (error instanceof ApiError && error.status === 410)
    return { status: 'failed', code: 'expired', message: 'This link has expired. Ask whoever sent it for a new one.' };
  if (error instanceof ApiError && error.status === 404)
    return { status: 'failed', code: 'gone', message: 'This link does not exist, or it was revoked. Ask whoever sent it for a new one.' };
  return { status: 'failed', code: 'error', message: errorMessage(error) };
}

/** A share link's page, for anyone holding the link: no account, no session; view only (and download if allowed). */
export function LinkPage({ token }: { token: string }) {
  const [state, setState] = useState<LinkState>({ status: 'loading' });
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const open = useCallback(
    (signal?: AbortSignal) =>
      linkApi.open(token, signal).then(
        (item) => setState({ status: 'open', item }),
        (error: unknown) => {
          if (signal?.aborted) return;
          setState(hasCode(error, 'link-password-required') ? { status: 'password', wrong: null } : failure(error));
        },
      ),
    [token],
  );

  useEffect(() => {
    const abort = new AbortController();
    void open(abort.signal);
    return () => abort.abort();
  }, [open]);

  const unlock = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await linkApi.unlock(token, password);
      setPassword('');
      await open();
    } catch (error) {
      if (hasCode(error, 'link-password-wrong')) setState({ status: 'password', wrong: 'That password is not right.' });
      else if (error instanceof ApiError && error.status === 429) setState({ status: 'password', wrong: 'Too many tries. Wait a minute and try again.' });
      else setState(failure(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="topbar">
        <h1 className="brand">Photos</h1>
        <span className="hint">Shared with you by link</span>
      </header>
      <main className="home link-page" data-testid="link-page" data-state={state.status}>
        {state.status === 'loading' && (
          <p className="loading" role="status">
            <span className="spinner" /> Opening the link…
          </p>
        )}
        {state.status === 'failed' && (
          <p className="notice link-failed" role="alert" data-testid="link-failed" data-code={state.code}>
            {state.message}
          </p>
        )}
        {state.status === 'password' && (
          <form className="auth-card link-unlock" onSubmit={(event) => void unlock(event)} data-testid="link-password-form">
            <h2>This link needs a password</h2>
            <label htmlFor="link-password">Password</label>
            <input
              id="link-password"
              type="password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              autoComplete="off"
              autoFocus
              required
              aria-invalid={state.wrong ? true : undefined}
              aria-describedby={state.wrong ? 'link-password-error' : undefined}
              data-testid="link-password-input"
            />
            {state.wrong && (
              <p className="error" id="link-password-error" role="alert" data-testid="link-password-error">
                {state.wrong}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || !password} data-testid="link-unlock">
              Open
            </button>
          </form>
        )}
        {state.status === 'open' && state.item.kind === 'photo' && state.item.photo && (
          <LinkedPhoto token={token} photo={state.item.photo} allowDownload={state.item.allowDownload} />
        )}
        {state.status === 'open' && state.item.kind === 'album' && <LinkedAlbum token={token} item={state.item} />}
      </main>
    </>
  );
}

function LinkedAlbum({ token, item }: { token: string; item: LinkedItem }) {
  const photos = usePhotoPages((cursor, limit) => linkApi.photos(token, cursor, limit));
  const [openId, setOpenId] = useState<string | null>(null);
  const open = openId ? photos.items.find((photo) => photo.id === openId) : undefined;
  const title = item.album?.title ?? 'Shared album';
  return (
    <>
      <Gallery gallery={photos} onOpen={setOpenId} title={title} emptyText="This album has no photos." />
      {open && (
        <Modal title={open.filename ?? 'Photo'} onClose={() => setOpenId(null)} testId="link-photo-dialog">
          <LinkedPhoto token={token} photo={open} allowDownload={item.allowDownload} />
        </Modal>
      )}
    </>
  );
}
