import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { formatInstant } from './format';
import { errorMessage } from './problem';
import { absoluteLinkUrl, shareLinks, type LinkTarget } from './share-links';
import type { CreatedShareLink, ShareLink } from './types';

/** The end of the chosen day, in the viewer's time zone, as an ISO instant. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59`).toISOString();

/** Links anyone can open without an account: create one (expiry, password, downloads), copy it once, revoke. */
export function ShareLinks({ target: { kind, id: targetId } }: { target: LinkTarget }) {
  const id = useId();
  const target = useMemo(() => ({ kind, id: targetId }), [kind, targetId]);
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [created, setCreated] = useState<CreatedShareLink | null>(null);
  const [expiry, setExpiry] = useState('');
  const [password, setPassword] = useState('');
  const [allowDownload, setAllowDownload] = useState(false);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      shareLinks.list(target).then(setLinks, (failure: unknown) => {
        setLinks([]);
        setError(errorMessage(failure));
      }),
    [target],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const link = await shareLinks.create(target, { expiresAt: expiry ? endOfDay(expiry) : null, allowDownload, ...(password ? { password } : {}) });
      setCreated(link);
      setPassword('');
      await reload();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (linkId: string) => {
    setBusy(true);
    setError(null);
    try {
      await shareLinks.revoke(target, linkId);
      if (created?.id === linkId) setCreated(null);
      await reload();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setError('The browser did not allow copying: select the link and copy it yourself.');
    }
  };

  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="modal-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Link</h3>
      <form className="link-form" onSubmit={(event) => void create(event)}>
        <label htmlFor={`${id}-expiry`}>Expires (optional)</label>
        <input id={`${id}-expiry`} type="date" min={today} value={expiry} onChange={(event) => setExpiry(event.target.value)} data-testid="link-expiry" />
        <label htmlFor={`${id}-password`}>Password (optional)</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="new-password"
          minLength={4}
          maxLength={128}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          data-testid="link-password"
        />
        <label className="check">
          <input type="checkbox" checked={allowDownload} onChange={(event) => setAllowDownload(event.target.checked)} data-testid="link-allow-download" />
          Allow downloading the originals
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="create-link">
          Create link
        </button>
      </form>
      {created && (
        <div className="created-link" data-testid="created-link">
          <p className="hint">Copy it now: for your safety it is shown only this once.</p>
          <div className="copy-row">
            <input readOnly value={absoluteLinkUrl(created.url)} aria-label="Share link" onFocus={(event) => event.target.select()} data-testid="link-url" />
            <button type="button" onClick={() => void copy(absoluteLinkUrl(created.url))} data-testid="copy-link">
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="link-error">
          {error}
        </p>
      )}
      {links && links.length > 0 && (
        <ul className="share-list" aria-label="Existing links" data-testid="link-list">
          {links.map((link) => (
            <li key={link.id} data-testid="share-link">
              <span className="share-who">Link of {formatInstant(link.createdAt)}</span>
              <span className="hint">
                {link.expiresAt ? `until ${formatInstant(link.expiresAt)}` : 'no expiry'}
                {link.hasPassword ? ' · password' : ''}
                {link.allowDownload ? ' · downloads' : ''}
              </span>
              <button type="button" className="danger" disabled={busy} onClick={() => void revoke(link.id)} data-testid="revoke-link">
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
