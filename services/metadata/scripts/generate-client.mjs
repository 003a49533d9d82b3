// Runs `prisma generate` on install (npm runs a workspace's postinstall on `npm ci` too), writing the
// client to src/generated/prisma (gitignored). Generating needs no schema engine, but the CLI downloads
// one unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file; machines without access to Prisma's
// binaries fail that download, so point it at this file when the caller has not chosen an engine.
// The postinstall runs this file only if it exists: an install from the manifests alone (the Docker
// image's dependency layer) has no schema yet and generates the client later.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const cli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: join(dirname(here), '..'),
  stdio: 'inherit',
  env: { PRISMA_SCHEMA_ENGINE_BINARY: here, PRISMA_HIDE_UPDATE_MESSAGE: '1', ...process.env },
});
process.exit(result.status ?? 1);
