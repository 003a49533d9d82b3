/**
 * Browser sessions: a login starts a family of refresh tokens; each refresh spends one token and issues
 * its successor in the same family. A token is good once: when a spent one comes back, two parties hold
 * the session (a copy was stolen), and nobody can tell which is the owner, so the whole family is revoked
 * (OAuth 2.0 Security BCP, refresh token rotation). Free of HTTP and drivers; the clock, ids, token
 * generator, hash and CSRF check are passed in.
 */

/** A stored refresh token (only its hash is stored) with the state of its family. */
export interface RefreshTokenRecord {
  familyId: string;
  accountId: string;
  email: string;
  expiresAt: Date;
  /** When it was spent on a refresh; null while it is the family's current token. */
  usedAt: Date | null;
  /** When the family was revoked (logout, reuse detected); null while the session lives. */
  familyRevokedAt: Date | null;
}

/** Where refresh tokens live (the BFF's accounts database). */
export interface SessionStore {
  /** Starts a family with its first token. */
  createFamily(family: { id: string; accountId: string; email: string; createdAt: Date }, first: { hash: string; expiresAt: Date }): Promise<void>;
  find(hash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Spends `usedHash` and stores its successor, atomically: resolves false, writing nothing, when the token
   * was spent already or its family revoked meanwhile (a concurrent refresh or logout won the race).
   */
  rotate(usedHash: string, next: { hash: string; expiresAt: Date }, at: Date): Promise<boolean>;
  revokeFamily(familyId: string, at: Date): Promise<void>;
  /** Forgets tokens that expired before `before`, and families left without tokens. */
  deleteExpired(before: Date): Promise<void>;
}

export type RefreshDecision = { kind: 'rotate' } | { kind: 'reuse' } | { kind: 'refuse'; reason: 'unknown' | 'expired' | 'revoked' };

/** What presenting this refresh token at `now` means. */
export function decideRefresh(record: RefreshTokenRecord | undefined, now: Date): RefreshDecision {
  if (!record) return { kind: 'refuse', reason: 'unknown' };
  if (record.familyRevokedAt) return { kind: 'refuse', reason: 'revoked' };
  // Spent, even long ago: someone kept a copy. Checked before expiry so an old stolen copy still ends the session.
  if (record.usedAt) return { kind: 'reuse' };
  if (record.expiresAt.getTime() <= now.getTime()) return { kind: 'refuse', reason: 'expired' };
  return { kind: 'rotate' };
}

export type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; refreshToken: string; user: { id: string; email: string } }
  /** The CSRF token did not match the session: nothing changed. */
  | { kind: 'csrf-failed' }
  | { kind: 'refused'; reason: 'missing' | 'unknown' | 'expired' | 'revoked' | 'reused' };

export interface SessionDeps {
  store: SessionStore;
  now: () => Date;
  newId: () => string;
  /** A new unguessable refresh token (opaque, URL-safe). */
  newToken: () => string;
  /** How tokens are stored (sha256): a copy of the table holds no usable token. */
  hash: (token: string) => string;
  refreshTtlMs: number;
  /** Whether `presented` is the CSRF token of session `sessionId`. */
  csrfValid: (sessionId: string, presented: string | undefined) => boolean;
}

export function sessions(deps: SessionDeps) {
  const expiry = () => new Date(deps.now().getTime() + deps.refreshTtlMs);
  return {
    /** A login: a new family and its first refresh token. */
    async start(account: { id: string; email: string }): Promise<{ sessionId: string; refreshToken: string }> {
      const now = deps.now();
      // Housekeeping at the rate of logins: expired tokens have nothing left to detect.
      await deps.store.deleteExpired(now);
      const sessionId = deps.newId();
      const refreshToken = deps.newToken();
      await deps.store.createFamily(
        { id: sessionId, accountId: account.id, email: account.email, createdAt: now },
        { hash: deps.hash(refreshToken), expiresAt: expiry() },
      );
      return { sessionId, refreshToken };
    },

    /** Spends `presented` for its successor; a spent token revokes its family. The CSRF token is checked first. */
    async refresh(presented: string | undefined, csrf: string | undefined): Promise<RefreshOutcome> {
      if (!presented) return { kind: 'refused', reason: 'missing' };
      const hash = deps.hash(presented);
      const record = await deps.store.find(hash);
      if (record && !deps.csrfValid(record.familyId, csrf)) return { kind: 'csrf-failed' };
      const now = deps.now();
      const decision = decideRefresh(record, now);
      if (decision.kind === 'refuse') return { kind: 'refused', reason: decision.reason };
      const familyId = record!.familyId;
      if (decision.kind === 'rotate') {
        const refreshToken = deps.newToken();
        if (await deps.store.rotate(hash, { hash: deps.hash(refreshToken), expiresAt: expiry() }, now)) {
          return { kind: 'rotated', sessionId: familyId, refreshToken, user: { id: record!.accountId, email: record!.email } };
        }
        // Spent by a concurrent request between find and rotate: the same reuse as below.
      }
      await deps.store.revokeFamily(familyId, now);
      return { kind: 'refused', reason: 'reused' };
    },

    /** A logout: the family is revoked, so none of its tokens refreshes again. */
    async end(presented: string | undefined, csrf: string | undefined): Promise<'ended' | 'csrf-failed' | 'no-session'> {
      if (!presented) return 'no-session';
      const record = await deps.store.find(deps.hash(presented));
      if (!record) return 'no-session';
      if (!deps.csrfValid(record.familyId, csrf)) return 'csrf-failed';
      await deps.store.revokeFamily(record.familyId, deps.now());
      return 'ended';
    },
  };
}

export type Sessions = ReturnType<typeof sessions>;
