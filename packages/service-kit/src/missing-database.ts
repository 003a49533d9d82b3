/**
 * A database that does not exist yet is the first thing a newcomer running one process per service meets
 * (README, "Three ways to run it"). pg reports it as SQLSTATE 3D000 deep in a driver stack trace; this
 * turns it into one fatal line that says which variable names it and what to run, and exits 1.
 * (Shared by the BFF and the metadata service, the two services with a database.)
 */
const INVALID_CATALOG_NAME = '3D000';

function codeOf(error: unknown): unknown {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ('code' in e && (e as { code: unknown }).code === INVALID_CATALOG_NAME) return INVALID_CATALOG_NAME;
  }
  return undefined;
}

/** Rethrows `error` unless it says the database at `env[variable]` does not exist; then explains and exits 1. */
export function exitOnMissingDatabase(
  error: unknown,
  variable: string,
  io: { env?: NodeJS.ProcessEnv; write?: (line: string) => void; exit?: (code: number) => never } = {},
): never {
  if (codeOf(error) !== INVALID_CATALOG_NAME) throw error;
  const raw = (io.env ?? process.env)[variable] ?? '';
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const name = decodeURIComponent(url?.pathname.slice(1) ?? '') || '(none)';
  const host = url?.hostname || 'localhost';
  const user = url?.username ? ` -U ${decodeURIComponent(url.username)}` : '';
  const port = url?.port ? ` -p ${url.port}` : '';
  const msg = `database "${name}" does not exist (${variable}): create it, e.g. \`createdb -h ${host}${port}${user} ${name}\`, then start again`;
  const write = io.write ?? ((line: string) => process.stderr.write(line));
  write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg })}\n`);
  return (io.exit ?? process.exit)(1);
}
