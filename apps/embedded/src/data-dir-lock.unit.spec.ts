import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir, platformRunningOn } from './data-dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the data directory lock', () => {
  it('is held by a live process and refuses another; released, it is gone', () => {
    expect(platformRunningOn(dir)).toBeUndefined();
    const release = lockDataDir(dir);
    expect(platformRunningOn(dir)).toBe(process.pid);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`); // another live process: the one that started this one
    expect(() => lockDataDir(dir)).toThrow(`a platform (process ${process.ppid}) is already running on ${dir}; stop it first`);
  });

  it('does not count a lock left by a process that is gone (kill -9) or a file that holds no pid', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir, LOCK_FILE), `${gone}\n`);
    expect(platformRunningOn(dir)).toBeUndefined();
    lockDataDir(dir)();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    expect(platformRunningOn(dir)).toBeUndefined();
  });
});
