/**
 * `npm run backup -- DIR`: backs up the embedded platform's DATA_DIR (default `.data`) into DIR, which
 * must be new or empty. The platform must be stopped (refused with exit code 2 while it runs). Prints the
 * manifest's counts; see scripts/backup-embedded.ts for what is copied.
 */
import { backup } from './backup-embedded.js';
import { dataDirFromEnv, progress, run } from './backup-cli.js';

await run('usage: [DATA_DIR=.data] npm run backup -- DIR   (with the platform stopped)', process.argv.slice(2), async (dir) => {
  const started = performance.now();
  const manifest = await backup(dataDirFromEnv(), dir, progress);
  const { files, bytes, parts, tables } = manifest.counts;
  console.log(`backup of ${manifest.source} in ${dir}: ${files} files, ${(bytes / 1e6).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const [part, count] of Object.entries(parts)) console.log(`  ${part}: ${count.files} files, ${(count.bytes / 1e6).toFixed(1)} MB`);
  for (const [database, counts] of Object.entries(tables))
    console.log(
      `  ${database}: ${Object.entries(counts)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
});
