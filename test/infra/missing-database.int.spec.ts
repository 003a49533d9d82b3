/**
 * One process per service (README): a database that was not created yet stops the BFF and the metadata
 * service at start with one fatal line naming the database, the variable and the `createdb` to run, exit
 * code 1, and no driver stack trace. Started as `npm start -w <service>` starts them, against the shared
 * PostgreSQL with a database name nobody creates.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function start(service: string, env: (url: string) => Record<string, string>) {
  const missing = `missing_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = `postgres://postgres@127.0.0.1:5432/${missing}`;
  const result = await run(process.execPath, ['--conditions=@photos/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: join(root, 'services', service),
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', METRICS_PORT: '0', JWT_SECRET: 'x'.repeat(40), ...env(url) },
    timeout: 45_000,
  }).then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code?: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  return { ...result, missing };
}

describe('a service whose database does not exist', () => {
  it.each([
    ['bff', 'ACCOUNTS_DATABASE_URL', (url: string) => ({ ACCOUNTS_DATABASE_URL: url })],
    ['metadata', 'DATABASE_URL', (url: string) => ({ DATABASE_URL: url, MIGRATE_ON_START: 'true' })],
  ] as const)(
    '%s exits 1 at start saying which database to create, without a stack trace',
    async (service, variable, env) => {
      const { code, stdout, stderr, missing } = await start(service, env);
      expect(code, stderr).toBe(1);
      const fatal = JSON.parse(stderr.trim().split('\n').at(-1)!) as { level: string; msg: string };
      expect(fatal.level).toBe('fatal');
      expect(fatal.msg).toContain(`database "${missing}" does not exist (${variable})`);
      expect(fatal.msg).toContain(`createdb -h 127.0.0.1 -p 5432 -U postgres ${missing}`);
      expect(stderr + stdout).not.toMatch(/^\s+at /m);
    },
    60_000,
  );
});
