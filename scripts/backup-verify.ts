/**
 * `npm run backup:verify -- DIR`: restores the backup into a scratch directory, compares every file with
 * the manifest (size, sha256, nothing missing or extra), opens both databases and compares their row
 * counts. Exit code 0: good; 1: damaged (each problem printed); 2: not a backup.
 */
import { verify } from './backup-embedded.js';
import { progress, run } from './backup-cli.js';

await run('usage: npm run backup:verify -- DIR', process.argv.slice(2), async (dir) => {
  const started = performance.now();
  const problems = await verify(dir, progress);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (problems.length === 0) {
    console.log(`backup ${dir} verified in ${seconds} s: every file and row count matches its manifest`);
    return;
  }
  console.log(`backup ${dir} is damaged (${problems.length} problems):`);
  for (const problem of problems.slice(0, 50)) console.log(`  ${problem}`);
  process.exitCode = 1;
});
