/**
 * What `npm start` runs: the embedded platform (src/main.ts) in a child Node process, so that its memory
 * allocator can be chosen (allocator.mjs), which only the environment of a process that has not started
 * yet can do. With glibc's defaults the platform's RSS passed 800 MiB within 300 photos.
 *
 * SIGINT, SIGTERM and SIGHUP are passed on to the child; it takes the copy that also reaches it from the
 * terminal's process group as the same request (src/stop-signals.ts). The exit code is the child's.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { allocatorEnv } from './allocator.mjs';

const main = fileURLToPath(new URL('./src/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--conditions=@photos/source', '--import', 'tsx', main], {
  stdio: 'inherit',
  env: { ...process.env, ...allocatorEnv(process.env) },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0))));
