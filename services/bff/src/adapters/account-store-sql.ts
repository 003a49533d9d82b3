import type { AccountStore } from '../domain/accounts.js';
import type { SqlClient } from './sql-client.js';

interface Row {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date | string;
}

/**
 * Accounts in one table of the BFF's own database. A single table with no history: created at start
 * with IF NOT EXISTS rather than through a migration tool.
 */
export async function createSqlAccountStore(db: SqlClient): Promise<AccountStore> {
  await db.query(`CREATE TABLE IF NOT EXISTS accounts (
    id text PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL
  )`);
  return {
    async insert(account) {
      const { rows } = await db.query(
        'INSERT INTO accounts (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id',
        [account.id, account.email, account.passwordHash, account.createdAt],
      );
      return rows.length === 1;
    },
    async findByEmail(email) {
      const { rows } = await db.query<Row>('SELECT id, email, password_hash, created_at FROM accounts WHERE email = $1', [email]);
      const row = rows[0];
      return row && { id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: new Date(row.created_at).toISOString() };
    },
    async emailsOf(ids) {
      if (ids.length === 0) return new Map();
      const { rows } = await db.query<Pick<Row, 'id' | 'email'>>('SELECT id, email FROM accounts WHERE id = ANY($1::text[])', [[...ids]]);
      return new Map(rows.map((row) => [row.id, row.email]));
    },
    async isHealthy() {
      return db.query('SELECT 1').then(
        () => true,
        () => false,
      );
    },
  };
}
