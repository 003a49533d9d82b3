/**
 * What the production images run, checked without Docker (there is no engine on our machines): the
 * Dockerfile's build stage runs `node scripts/build-service.mjs <service> --stage /out` and the image is
 * that /out over the service's production dependencies, started with `node dist/server.js`. Here the same
 * command stages the processor and the metadata service into a temporary directory, the staged tree gets
 * the repository's installed dependencies (linked, with the workspace packages pointing at the staged
 * copies), and each service is started from it and answers /health/live: a compiled entry that does not
 * load (a missing file tsc does not emit, a package export that still points at TypeScript, a path computed
 * from a module's location that no longer holds) fails here. The staged tree has no src/, so nothing can
 * quietly fall back to the sources.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'service-build-'));
const services = ['processor', 'metadata'] as const;
type Service = (typeof services)[number];

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const imageCommand = (): string[] => JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile.slice(dockerfile.search(/^FROM base AS service$/m)))![1]!) as string[];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/**
 * Gives a staged tree what the image's deps stage gives /app: the manifests, and node_modules. Third-party
 * packages are links to the repository's; `@photos/*` are links to the staged packages (as the workspace
 * links of `npm ci` are), so a workspace import resolves to the staged dist/ or not at all.
 */
function installInto(stage: string, service: Service): void {
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  const staged = [...readdirSync(join(stage, 'packages')).map((p) => join('packages', p)), join('services', service)];
  for (const project of staged) cpSync(join(root, project, 'package.json'), join(stage, project, 'package.json'));
  const modules = join(stage, 'node_modules');
  mkdirSync(join(modules, '@photos'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@photos') symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  for (const project of staged) {
    const name = (JSON.parse(readFileSync(join(stage, project, 'package.json'), 'utf8')) as { name: string }).name;
    symlinkSync(join(stage, project), join(modules, name));
    // Packages npm could not hoist (another version at the root) live in the project's own node_modules.
    if (existsSync(join(root, project, 'node_modules'))) symlinkSync(join(root, project, 'node_modules'), join(stage, project, 'node_modules'));
  }
}

/** Starts `command` in the staged service's directory; resolves with the HTTP port once it listens. */
function start(service: Service, command: string[], env: Record<string, string>) {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: join(work, service, 'services', service),
    env: { PATH: process.env['PATH'] ?? '', HOME: work, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"msg":"Server listening at http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`${service} exited (${code}) before listening:\n${output.slice(-3000)}`)));
  });
  return { child, listening, exited, output: () => output };
}

beforeAll(async () => {
  // One at a time: both build the shared packages (tsc -b is incremental; concurrent builds would race).
  for (const service of services) {
    await run(process.execPath, [join(root, 'scripts', 'build-service.mjs'), service, '--stage', join(work, service)], { cwd: root });
    installInto(join(work, service), service);
  }
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the production image build (scripts/build-service.mjs, as the Dockerfile runs it)', () => {
  it('stages compiled JavaScript only: no sources, no declarations, maps or build info', () => {
    for (const service of services) {
      const files = filesUnder(join(work, service)).filter((f) => !f.startsWith('node_modules') && !/\/node_modules\//.test(f));
      expect(files, service).toContain(join('services', service, 'dist', 'server.js'));
      expect(
        files.filter((f) => /(^|\/)src\//.test(f)),
        service,
      ).toEqual([]);
      // prisma.config.ts is read by the Prisma CLI (`prisma migrate deploy`), which loads TypeScript itself.
      expect(
        files.filter((f) => /\.(ts|map|tsbuildinfo)$/.test(f) && !f.endsWith('prisma.config.ts')),
        service,
      ).toEqual([]);
    }
    expect(filesUnder(join(work, 'metadata', 'services', 'metadata', 'prisma', 'migrations')).some((f) => f.endsWith('migration.sql'))).toBe(true);
  });

  it('copies the runtime files tsc does not emit (the HEIC decoder worker) next to the compiled code', () => {
    const src = join(root, 'services', 'processor', 'src');
    const assets = filesUnder(src).filter((f) => /\.(mjs|cjs|js|json|wasm)$/.test(f));
    expect(assets).toContain(join('adapters', 'libheif-worker.mjs'));
    for (const asset of assets) expect(existsSync(join(work, 'processor', 'services', 'processor', 'dist', asset)), asset).toBe(true);
  });

  it('the image runs `node dist/server.js`, without the source condition', () => {
    expect(imageCommand()).toEqual(['node', 'dist/server.js']);
  });

  it('every workspace export resolves to compiled JavaScript without the source condition (sources only with it)', () => {
    type Conditions = Record<string, string>;
    const wrong: string[] = [];
    for (const group of ['packages', 'services']) {
      for (const name of readdirSync(join(root, group))) {
        const manifestPath = join(root, group, name, 'package.json');
        if (!existsSync(manifestPath)) continue;
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, Conditions> };
        for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
          const where = `${group}/${name} ${subpath}`;
          if (!/^\.\/dist\/.+\.js$/.test(conditions['default'] ?? '')) wrong.push(`${where}: default ${conditions['default']} is not ./dist/*.js`);
          if (conditions['types'] && !/^\.\/dist\/.+\.d\.ts$/.test(conditions['types'])) wrong.push(`${where}: types ${conditions['types']}`);
          if (!/^\.\/src\/.+\.ts$/.test(conditions['@photos/source'] ?? '')) wrong.push(`${where}: no @photos/source condition to src/*.ts`);
          // Node picks the first matching condition in order: the source one must come before default.
          const keys = Object.keys(conditions);
          if (keys.indexOf('@photos/source') > keys.indexOf('default')) wrong.push(`${where}: @photos/source after default`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    // Live only: its readiness waits for the originals bucket, which the upload service creates.
    ['processor', {}, false],
    // PGlite under DATA_DIR, migrated at start from the staged prisma/migrations: ready proves they were found.
    ['metadata', { JWT_SECRET: 'x'.repeat(40) }, true],
  ] as const)(
    '%s starts from the staged output, answers its health checks, and stops cleanly',
    async (service, extraEnv, checkReady) => {
      const [node, ...args] = imageCommand();
      const dataDir = join(work, `${service}-data`);
      const started = start(service, [node === 'node' ? process.execPath : node!, ...args], { DATA_DIR: dataDir, ...extraEnv });
      try {
        const port = await started.listening;
        expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
        // Ready once its dependencies answer (the first checks may still be running when it listens).
        if (checkReady) {
          await vi.waitFor(
            async () => {
              const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
              expect(ready.status, await ready.text()).toBe(200);
            },
            { timeout: 20_000, interval: 250 },
          );
        }
      } finally {
        started.child.kill('SIGTERM');
      }
      expect(await started.exited, started.output()).toBe(0);
      expect(started.output()).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|ERR_MODULE_NOT_FOUND|"level":"(error|fatal)"/);
    },
    60_000,
  );
});
