// Compiles one service and the workspace packages it references to JavaScript (`tsc -b`, each project's
// src/ to its dist/, so a path a module computes from its own location, `../../prisma` say, holds in
// both), and copies the files tsc does not emit (a worker script written as .mjs) next to the output.
// The Dockerfile's build stage runs it; test/infra/service-build.int.spec.ts runs it too and starts the
// result. With `--stage <dir>` it also copies what the image runs (dist/ without declarations, maps and
// build info, plus the metadata service's Prisma schema and migrations) to <dir>, keeping the layout.
//
//   node scripts/build-service.mjs <upload|processor|metadata|bff> [--stage <dir>]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const [service, flag, stageDir] = process.argv.slice(2);
if (!service || !existsSync(join(root, 'services', service, 'tsconfig.json')) || (flag !== undefined && (flag !== '--stage' || !stageDir))) {
  console.error('usage: node scripts/build-service.mjs <upload|processor|metadata|bff> [--stage <dir>]');
  process.exit(2);
}

/** The service's project and every project it references, transitively (what `tsc -b` builds). */
function projects(dir, seen = new Set()) {
  if (seen.has(dir)) return seen;
  seen.add(dir);
  // The tsconfig files are plain JSON (no comments), so JSON.parse reads them.
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
  for (const reference of config.references ?? []) projects(resolve(dir, reference.path), seen);
  return seen;
}

const built = [...projects(join(root, 'services', service))];
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-b', join('services', service)], { cwd: root, stdio: 'inherit' });
} catch {
  process.exit(1); // tsc printed the errors
}

// Files under src/ that are code at run time but not TypeScript: tsc neither compiles nor copies them.
const isRuntimeAsset = (name) => /\.(?:mjs|cjs|js|json|wasm)$/.test(name) && !/\.spec\./.test(name);
const assets = built.flatMap((project) =>
  readdirSync(join(project, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isRuntimeAsset(entry.name))
    .map((entry) => ({ project, path: relative(join(project, 'src'), join(entry.parentPath, entry.name)) })),
);
const copyAssets = (toRoot) => {
  for (const { project, path } of assets) cpSync(join(project, 'src', path), join(toRoot, relative(root, project), 'dist', path));
};
copyAssets(root);

if (stageDir) {
  const stage = resolve(stageDir);
  // From dist/ only what tsc emits: an asset comes from src/ (a dist/ in a working copy may hold stale ones).
  const emitted = (path) => !/(?:\.d\.ts|\.d\.ts\.map|\.js\.map|\.tsbuildinfo|\.mjs|\.cjs|\.wasm)$/.test(path);
  for (const project of built) {
    cpSync(join(project, 'dist'), join(stage, relative(root, project), 'dist'), { recursive: true, filter: emitted });
  }
  copyAssets(stage);
  // The metadata service migrates from prisma/ (MIGRATE_ON_START, `prisma migrate deploy` with its config).
  const serviceDir = join(root, 'services', service);
  for (const extra of ['prisma', 'prisma.config.ts']) {
    if (existsSync(join(serviceDir, extra))) cpSync(join(serviceDir, extra), join(stage, 'services', service, extra), { recursive: true });
  }
  console.log(`staged ${built.map((p) => relative(root, p)).join(', ')} in ${relative(process.cwd(), stage) || '.'}`);
}
