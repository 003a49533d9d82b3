import type { RefreshTokenRecord, SessionStore } from '../domain/sessions.js';
import type { SqlClient } from './sql-client.js';

interface Row {
  family_id: string;
  account_id: string;
  email: string;
  expires_at: Date | string;
  used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/**
 * Refresh tokens (their sha256 only) in the BFF's accounts database, Postgres or PGlite. Like the accounts
 * table, created at start with IF NOT EXISTS. Spent tokens stay until they expire: that is how a reused
 * one is recognised.
 */
export async function createSqlSessionStore(db: SqlClient): Promise<SessionStore> {
  await db.query(`CREATE TABLE IF NOT EXISTS session_families (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    email text NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
  )`);
  await db.query(`CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash text PRIMARY KEY,
    family_id text NOT NULL REFERENCES session_families (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
  )`);
  await db.query('CREATE INDEX IF NOT EXISTS refresh_tokens_family_id ON refresh_tokens (family_id)');
  await db.query('CREATE INDEX IF NOT EXISTS refresh_tokens_expires_at ON refresh_tokens (expires_at)');

  return {
    async createFamily(family, first) {
      // One statement, so a family never exists without its token.
      await db.query(
        `WITH family AS (INSERT INTO session_families (id, account_id, email, created_at) VALUES ($1, $2, $3, $4) RETURNING id)
         INSERT INTO refresh_tokens (token_hash, family_id, expires_at) SELECT $5, id, $6 FROM family`,
        [family.id, family.accountId, family.email, family.createdAt, first.hash, first.expiresAt],
      );
    },
    async find(hash): Promise<RefreshTokenRecord | undefined> {
      const { rows } = await db.query<Row>(
        `SELECT t.family_id, f.account_id, f.email, t.expires_at, t.used_at, f.revoked_at
           FROM refresh_tokens t JOIN session_families f ON f.id = t.family_id WHERE t.token_hash = $1`,
        [hash],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        familyId: row.family_id,
        accountId: row.account_id,
        email: row.email,
        expiresAt: new Date(row.expires_at),
        usedAt: date(row.used_at),
        familyRevokedAt: date(row.revoked_at),
      };
    },
    async rotate(usedHash, next, at) {
      // The conditional UPDATE is the lock: of two requests spending the same token, one updates a row.
      const { rows } = await db.query(
        `WITH spent AS (
           UPDATE refresh_tokens SET used_at = $3
            WHERE token_hash = $1 AND used_at IS NULL
              AND family_id IN (SELECT id FROM session_families WHERE revoked_at IS NULL)
           RETURNING family_id)
         INSERT INTO refresh_tokens (token_hash, family_id, expires_at) SELECT $2, family_id, $4 FROM spent RETURNING family_id`,
        [usedHash, next.hash, at, next.expiresAt],
      );
      return rows.length === 1;
    },
    async revokeFamily(familyId, at) {
      await db.query('UPDATE session_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [familyId, at]);
    },
    async deleteExpired(before) {
      await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [before]);
      await db.query('DELETE FROM session_families f WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)');
    },
  };
}
