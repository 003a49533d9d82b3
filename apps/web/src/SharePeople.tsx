import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api } from './api';
import { errorMessage } from './problem';
import type { AlbumRole, AlbumShare } from './types';

const ROLE_LABEL: Record<AlbumRole, string> = { viewer: 'Can view', contributor: 'Can add photos' };

/** Who the album is shared with (by email and role); share with an account by email; revoke (effective at their next request). */
export function SharePeople({ albumId }: { albumId: string }) {
  const headingId = useId();
  const [shares, setShares] = useState<AlbumShare[] | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AlbumRole>('viewer');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api.albumShares(albumId).then(setShares, (failure: unknown) => {
        setShares([]);
        setError(errorMessage(failure));
      }),
    [albumId],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      await reload();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const share = async () => {
    await api.shareAlbum(albumId, email.trim(), role);
    setEmail('');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim()) void run(share);
  };

  return (
    <section className="modal-section" aria-labelledby={headingId}>
      <h3 id={headingId}>People</h3>
      <form className="share-form" onSubmit={submit}>
        <label htmlFor={`${headingId}-email`} className="visually-hidden">
          Email
        </label>
        <input
          id={`${headingId}-email`}
          type="email"
          placeholder="Email of their account"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          required
          data-testid="share-email"
        />
        <label htmlFor={`${headingId}-role`} className="visually-hidden">
          Role
        </label>
        <select id={`${headingId}-role`} value={role} onChange={(event) => setRole(event.target.value as AlbumRole)} data-testid="share-role">
          <option value="viewer">{ROLE_LABEL.viewer}</option>
          <option value="contributor">{ROLE_LABEL.contributor}</option>
        </select>
        <button type="submit" className="primary" disabled={busy} data-testid="share-submit">
          Share
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="share-error">
          {error}
        </p>
      )}
      {shares === null && <p className="hint">Loading…</p>}
      {shares && shares.length === 0 && <p className="hint">Not shared with anyone yet.</p>}
      {shares && shares.length > 0 && (
        <ul className="share-list" data-testid="share-list">
          {shares.map((grant) => (
            <li key={grant.userId} data-testid="share-person">
              <span className="share-who">{grant.email ?? 'An account that no longer exists'}</span>
              <span className="hint">{ROLE_LABEL[grant.role]}</span>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => void run(() => api.revokeShare(albumId, grant.userId))}
                aria-label={`Stop sharing with ${grant.email ?? 'an account that no longer exists'}`}
                data-testid="revoke-share"
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
