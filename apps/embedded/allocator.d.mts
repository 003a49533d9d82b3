/** The system's jemalloc (Debian/Ubuntu: libjemalloc2), if any. */
export function findJemalloc(): string | undefined;
/** The variables that choose a Node process' allocator (see allocator.mjs); none when `env` already chooses. */
export function allocatorEnv(env: Record<string, string | undefined>): Record<string, string>;
