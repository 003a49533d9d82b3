/**
 * Backup, restore and verification of the embedded mode's data directory (`npm start`), with the platform
 * stopped: a stopped platform's DATA_DIR is consistent as a set of files (both PGlite databases were
 * closed cleanly, the buckets and the bus file are written whole), so a copy of every file is a
 * consistent backup. A running one is refused (its lock, apps/embedded/src/data-dir-lock.ts): copying
 * Postgres files under a live server gives a torn database.
 *
 * What DATA_DIR holds (apps/embedded, each service's service.ts): `metadata-db/` (PGlite: photos,
 * tombstones), `accounts-db/` (PGlite: accounts, sessions, refresh tokens), `buckets/<originals>/` and
 * `buckets/<variants>/` (the two object stores), `jwt-secret` (generated at first start; without it every
 * issued token is void), `bus/unconsumed-events.jsonl` (events not yet delivered at the last stop). The
 * backup copies the whole directory (minus the lock), so a part added later is not silently left out.
 *
 * Layout of a backup: `manifest.json` (every file with its size and sha256, and counts: files and bytes
 * per part, rows per table of each database) and `data/` (the copy).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { LOCK_FILE, platformRunningOn } from '../apps/embedded/src/data-dir-lock.js';

export const MANIFEST = 'manifest.json';
export const DATABASES = ['metadata-db', 'accounts-db'] as const;

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 1;
  createdAt: string;
  source: string;
  /** Every directory, empty ones too: Postgres needs its empty ones (pg_tblspc, pg_notify...) to start. */
  directories: string[];
  files: ManifestFile[];
  counts: {
    files: number;
    bytes: number;
    /** Files per top part of DATA_DIR (`buckets/originals`, `metadata-db`, ...). */
    parts: Record<string, { files: number; bytes: number }>;
    /** Rows of every table of each database. */
    tables: Record<string, Record<string, number>>;
  };
}

/** A failure the command reports as one line, with its exit code (1: failed, 2: refused / wrong usage). */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export type Progress = (line: string) => void;

function refuseIfRunning(dataDir: string): void {
  const pid = platformRunningOn(dataDir);
  if (pid !== undefined) {
    throw new BackupError(`the platform is running on ${dataDir} (process ${pid}): stop it first (Ctrl-C or SIGTERM), then run this again`, 2);
  }
}

/** Every file under `root` (relative paths with `/`), sorted, except the lock; with `directories`, every directory instead. */
function filesUnder(root: string, directories = false): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (directories) found.push(relative(root, path).split(sep).join('/'));
        walk(path);
      } else if (entry.isFile() && !directories) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return found.filter((path) => path !== LOCK_FILE).sort();
}

function makeDirectories(root: string, directories: string[]): void {
  for (const directory of directories) mkdirSync(join(root, directory), { recursive: true });
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** `buckets/originals/x/y` -> `buckets/originals`; `metadata-db/base/1` -> `metadata-db`. */
function partOf(path: string): string {
  const segments = path.split('/');
  return segments[0] === 'buckets' && segments.length > 2 ? segments.slice(0, 2).join('/') : segments.length > 1 ? segments[0]! : path;
}

/** Rows of every table of the PGlite database in `dir` (opened, counted, closed). */
async function tableCounts(dir: string): Promise<Record<string, number>> {
  const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'] });
  try {
    const { rows } = await db.query<{ name: string }>(
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of rows) {
      const {
        rows: [row],
      } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
      counts[name] = row!.n;
    }
    return counts;
  } finally {
    await db.close();
  }
}

async function databaseCounts(dataDir: string): Promise<Record<string, Record<string, number>>> {
  const tables: Record<string, Record<string, number>> = {};
  for (const database of DATABASES) if (existsSync(join(dataDir, database, 'PG_VERSION'))) tables[database] = await tableCounts(join(dataDir, database));
  return tables;
}

/**
 * Runs `work` on every item, `limit` at a time, answering the results in the items' order. A backup is
 * mostly small files (about ten per photo): the time goes to the file system's round trips, which overlap.
 */
async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!, index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const FILES_AT_ONCE = 16;

/** Copies `files` from `from` to `to`, hashing each copy (what landed, not what was read) unless told not to. */
async function copyAndHash(from: string, to: string, files: string[], progress: Progress, hash = true): Promise<ManifestFile[]> {
  let done = 0;
  let bytes = 0;
  return eachLimited(files, FILES_AT_ONCE, async (path) => {
    const source = join(from, path);
    const target = join(to, path);
    mkdirSync(dirname(target), { recursive: true });
    await copyFile(source, target);
    const size = statSync(target).size;
    const copied = { path, size, sha256: hash ? await sha256Of(target) : '' };
    bytes += size;
    if (++done % 2000 === 0) progress(`  ${done}/${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
    return copied;
  });
}

function countsOf(files: ManifestFile[], tables: Manifest['counts']['tables']): Manifest['counts'] {
  const parts: Record<string, { files: number; bytes: number }> = {};
  for (const { path, size } of files) {
    const part = (parts[partOf(path)] ??= { files: 0, bytes: 0 });
    part.files += 1;
    part.bytes += size;
  }
  return { files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0), parts, tables };
}

/** Backs up the stopped platform's `dataDir` into `backupDir` (which must not exist or be empty). */
export async function backup(dataDirArg: string, backupDirArg: string, progress: Progress = () => undefined): Promise<Manifest> {
  const dataDir = resolve(dataDirArg);
  const backupDir = resolve(backupDirArg);
  if (!existsSync(dataDir)) throw new BackupError(`no data directory at ${dataDir}`, 2);
  refuseIfRunning(dataDir);
  if (existsSync(backupDir) && readdirSync(backupDir).length > 0) throw new BackupError(`${backupDir} is not empty: choose a new directory`, 2);
  progress(`counting rows of ${DATABASES.join(', ')}`);
  // Counted before copying: opening a database writes to its files, so it is opened where it lives.
  const tables = await databaseCounts(dataDir);
  refuseIfRunning(dataDir); // someone may have started it meanwhile
  const files = filesUnder(dataDir);
  const directories = filesUnder(dataDir, true);
  progress(`copying ${files.length} files from ${dataDir}`);
  makeDirectories(join(backupDir, 'data'), directories);
  const copied = await copyAndHash(dataDir, join(backupDir, 'data'), files, progress);
  if (platformRunningOn(dataDir) !== undefined) {
    rmSync(backupDir, { recursive: true, force: true });
    throw new BackupError(`the platform was started on ${dataDir} during the backup: the copy is discarded, stop it and run this again`, 2);
  }
  const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), source: dataDir, directories, files: copied, counts: countsOf(copied, tables) };
  writeFileSync(join(backupDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function readManifest(backupDir: string): Manifest {
  const file = join(resolve(backupDir), MANIFEST);
  if (!existsSync(file)) throw new BackupError(`no ${MANIFEST} in ${backupDir}: not a backup`, 2);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (manifest.format !== 1) throw new BackupError(`${file}: unknown backup format ${String(manifest.format)}`, 2);
  return manifest;
}

/** What differs between the backup's files and its manifest: missing, extra, changed (size or sha256). */
async function checkFiles(dataCopy: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const present = new Set(filesUnder(dataCopy));
  const found = await eachLimited(manifest.files, FILES_AT_ONCE, async (file) => {
    if (!present.delete(file.path)) return `missing: ${file.path}`;
    if (statSync(join(dataCopy, file.path)).size !== file.size) return `size differs: ${file.path}`;
    if ((await sha256Of(join(dataCopy, file.path))) !== file.sha256) return `checksum differs: ${file.path}`;
    return undefined;
  });
  problems.push(...found.filter((problem) => problem !== undefined));
  for (const path of present) problems.push(`not in the manifest: ${path}`);
  return problems;
}

function compareTables(expected: Manifest['counts']['tables'], actual: Manifest['counts']['tables']): string[] {
  const problems: string[] = [];
  for (const [database, tables] of Object.entries(expected)) {
    for (const [table, rows] of Object.entries(tables)) {
      const found = actual[database]?.[table];
      if (found !== rows) problems.push(`${database} ${table}: ${rows} rows in the manifest, ${found ?? 'no table'} restored`);
    }
  }
  return problems;
}

/**
 * Restores the backup into a scratch directory and checks it: every file present with its size and
 * sha256, nothing extra, and both databases open with the row counts of the manifest. Returns the
 * problems (none: the backup is good).
 */
export async function verify(backupDirArg: string, progress: Progress = () => undefined): Promise<string[]> {
  const backupDir = resolve(backupDirArg);
  const manifest = readManifest(backupDir);
  const scratch = mkdtempSync(join(tmpdir(), 'photos-verify-'));
  try {
    progress(`restoring ${manifest.files.length} files into ${scratch}`);
    makeDirectories(scratch, manifest.directories);
    const restored = await copyAndHash(join(backupDir, 'data'), scratch, filesUnder(join(backupDir, 'data')), progress);
    const byPath = new Map(restored.map((file) => [file.path, file]));
    const problems: string[] = [];
    for (const file of manifest.files) {
      const found = byPath.get(file.path);
      if (!found) problems.push(`missing: ${file.path}`);
      else if (found.size !== file.size || found.sha256 !== file.sha256) problems.push(`checksum differs: ${file.path}`);
      byPath.delete(file.path);
    }
    for (const path of byPath.keys()) problems.push(`not in the manifest: ${path}`);
    if (problems.length > 0) return problems; // a database with a damaged file may not even open
    progress('opening the databases');
    try {
      problems.push(...compareTables(manifest.counts.tables, await databaseCounts(scratch)));
    } catch (error) {
      problems.push(`a database does not open: ${(error as Error).message}`);
    }
    return problems;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Restores the backup into `dataDir`, which must be absent or empty (a restore never mixes two data
 * directories) and not in use. The files are checked against the manifest first and copied into a
 * sibling directory renamed into place at the end, so an interrupted restore leaves no half DATA_DIR.
 */
export async function restore(backupDirArg: string, dataDirArg: string, progress: Progress = () => undefined): Promise<Manifest> {
  const backupDir = resolve(backupDirArg);
  const dataDir = resolve(dataDirArg);
  const manifest = readManifest(backupDir);
  if (existsSync(dataDir)) {
    refuseIfRunning(dataDir);
    if (readdirSync(dataDir).length > 0) throw new BackupError(`${dataDir} is not empty: restore into a new DATA_DIR (or move this one aside)`, 2);
  }
  progress(`checking ${manifest.files.length} files against the manifest`);
  const problems = await checkFiles(join(backupDir, 'data'), manifest);
  if (problems.length > 0) throw new BackupError(`the backup is damaged, nothing restored:\n  ${problems.slice(0, 20).join('\n  ')}`);
  const staging = `${dataDir}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  progress(`copying into ${dataDir}`);
  makeDirectories(staging, manifest.directories);
  await copyAndHash(
    join(backupDir, 'data'),
    staging,
    manifest.files.map((file) => file.path),
    progress,
    false,
  );
  rmSync(dataDir, { recursive: true, force: true }); // absent or empty, checked above
  renameSync(staging, dataDir);
  return manifest;
}
