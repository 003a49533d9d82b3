import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file that says a platform runs on a data directory: its process id. */
export const LOCK_FILE = 'platform.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The process id of the platform running on `dataDir`, if one is. A lock left by a process that is gone
 * (kill -9, a power cut) does not count: backup, restore and the next start may go ahead.
 */
export function platformRunningOn(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/**
 * Claims `dataDir` for this process, so that two platforms never open the same PGlite databases (which
 * would corrupt them) and a backup or restore refuses to copy files a running platform is writing.
 * Returns the release. Throws when a live process holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  const holder = platformRunningOn(dataDir);
  if (holder !== undefined && holder !== process.pid) {
    throw new Error(`a platform (process ${holder}) is already running on ${dataDir}; stop it first`);
  }
  const file = join(dataDir, LOCK_FILE);
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}
