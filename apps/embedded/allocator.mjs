/**
 * The memory allocator a Node process of this platform should start with, as environment variables
 * (they only work in the environment a process starts with). Used by `npm start` (start.mjs) and by
 * `npm run bench:soak`; the Docker image sets the same (Dockerfile). Measured in the README's "Memory".
 */
import { existsSync } from 'node:fs';

const MULTIARCH = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
/** Set by the user: then the allocator is theirs to choose (`GLIBC_TUNABLES= npm start` keeps glibc's defaults). */
const ALLOCATOR_VARIABLES = ['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'GLIBC_TUNABLES'];

/** The system's jemalloc (Debian/Ubuntu: libjemalloc2), if any. */
export function findJemalloc() {
  const candidates = [`/usr/lib/${MULTIARCH[process.arch]}/libjemalloc.so.2`, '/usr/lib64/libjemalloc.so.2', '/usr/local/lib/libjemalloc.so.2'];
  return process.platform === 'linux' ? candidates.find((path) => existsSync(path)) : undefined;
}

/**
 * On Linux with glibc, whose malloc fragments under sharp's threads: jemalloc when the system has it,
 * else glibc with two arenas and a fixed mmap threshold (large buffers go straight back to the system
 * when freed; glibc otherwise raises the threshold after the first large free and keeps such buffers in
 * its per-thread arenas). Elsewhere, or when `env` already chooses, nothing.
 */
export function allocatorEnv(env) {
  const glibc = process.platform === 'linux' && Boolean(process.report?.getReport().header.glibcVersionRuntime);
  if (!glibc || ALLOCATOR_VARIABLES.some((name) => env[name] !== undefined)) return {};
  const jemalloc = findJemalloc();
  return jemalloc ? { LD_PRELOAD: jemalloc } : { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
}
