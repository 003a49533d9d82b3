/**
 * `node --cpu-prof` for a process started by someone else's command line (node refuses --cpu-prof in
 * NODE_OPTIONS, but takes `--import`): profiles the whole process through the inspector and writes
 * <CPU_PROFILE_DIR>/<name>-<pid>.cpuprofile when it exits (a graceful stop, as --cpu-prof does).
 * Profiling starts at SIGWINCH (ignored by default; close-with-grace takes SIGUSR2), so the profile holds the measured load, not the start-up (module loading).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms like --cpu-prof's default interval; set before start.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  process.once('SIGWINCH', () => session.post('Profiler.start'));
  // An inspector session of the main thread answers synchronously, so the profile is written inside 'exit'.
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.env.CPU_PROFILE_NAME ?? 'node'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
