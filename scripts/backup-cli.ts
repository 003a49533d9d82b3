/** What the backup commands share: the data directory they act on, and how they end. */
import { BackupError } from './backup-embedded.js';

/** DATA_DIR as `npm start` reads it (apps/embedded/src/main.ts): default `.data`. */
export const dataDirFromEnv = (): string => process.env['DATA_DIR'] || '.data';

export const progress = (line: string): void => void process.stderr.write(`${line}\n`);

/** Runs a command: a BackupError ends it with its message and code, anything else with its stack and 1. */
export async function run(usage: string, argv: string[], command: (dir: string) => Promise<void>): Promise<void> {
  const dir = argv.find((arg) => !arg.startsWith('-'));
  if (!dir || argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = dir ? 0 : 2;
    return;
  }
  try {
    await command(dir);
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.code;
  }
}
