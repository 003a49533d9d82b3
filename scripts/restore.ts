/**
 * `npm run restore -- DIR`: restores the backup in DIR into DATA_DIR (default `.data`), which must be
 * absent or empty and not in use; the backup's files are checked against its manifest first (a damaged
 * backup restores nothing). Then `npm start` on that DATA_DIR.
 */
import { restore } from './backup-embedded.js';
import { dataDirFromEnv, progress, run } from './backup-cli.js';

await run('usage: [DATA_DIR=.data] npm run restore -- DIR   (into an absent or empty DATA_DIR, platform stopped)', process.argv.slice(2), async (dir) => {
  const started = performance.now();
  const manifest = await restore(dir, dataDirFromEnv(), progress);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`restored ${manifest.counts.files} files (backup of ${manifest.createdAt}) into ${dataDirFromEnv()} in ${seconds} s`);
});
