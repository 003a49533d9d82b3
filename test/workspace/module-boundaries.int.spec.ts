/**
 * Proves the lint rule that keeps services apart: a service importing another service (by package name
 * or by relative path) is a lint error, while importing contracts and kits is fine. Lint runs through
 * Nx, which computes the project graph the rule needs.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const probes: string[] = [];

function probe(project: string, source: string, suffix = '.ts'): string {
  const file = join(root, project, 'src', `boundary-probe-${probes.length}${suffix}`);
  writeFileSync(file, source);
  probes.push(file);
  return file;
}

async function lint(files: string[]): Promise<{ code: number; output: string }> {
  await run('npx', ['nx', 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
  try {
    const { stdout } = await run('npx', ['eslint', '--format', 'json', ...files], { cwd: root, maxBuffer: 10_000_000 });
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, output: failure.stdout };
  }
}

describe('module boundaries', () => {
  afterAll(() => probes.forEach((file) => rmSync(file, { force: true })));

  it('the whole workspace lints clean', async () => {
    // Rejects (and fails the test) when any project has a lint error.
    const { stdout } = await run('npx', ['nx', 'run-many', '-t', 'lint', '--skip-nx-cache'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      maxBuffer: 10_000_000,
    });
    for (const project of ['contracts', 'event-bus', 'service-kit', 'object-store', 'upload', 'processor', 'metadata', 'bff']) {
      expect(stdout).toContain(`@photos/${project}:lint`);
    }
  });

  it('fails when a service imports another service, by name or by path', async () => {
    const byName = probe('services/processor', "import '@photos/upload/service';\nexport {};\n");
    const byPath = probe('services/upload', "import '../../metadata/src/config.js';\nexport {};\n");
    const allowed = probe('services/processor', "import { photoCatalogue } from '@photos/contracts';\nexport const channel = photoCatalogue.channel;\n");
    const { code, output } = await lint([byName, byPath, allowed]);
    const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string; message: string }[] }[];
    const boundaryErrors = (file: string) => results.find((r) => r.filePath === file)!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(code).not.toBe(0);
    expect(
      boundaryErrors(byName)
        .map((m) => m.message)
        .join(),
    ).toMatch(/type:service/);
    expect(boundaryErrors(byPath).length).toBeGreaterThan(0);
    expect(boundaryErrors(allowed)).toEqual([]);
  });

  it('lets the tests of a service, and only them, read the format corpus (test/formats), and nothing else of test/', async () => {
    const corpus = "import { formatCorpus } from '../../../test/formats/format-corpus.js';\nexport const corpus = formatCorpus;\n";
    const spec = probe('services/upload', corpus, '.spec.ts');
    const production = probe('services/upload', corpus);
    const otherSupport = probe('services/upload', "import '../../../test/support/pipeline.js';\nexport {};\n", '.spec.ts');
    const { output } = await lint([spec, production, otherSupport]);
    const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string }[] }[];
    const boundaryErrors = (file: string) => results.find((r) => r.filePath === file)!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundaryErrors(spec)).toEqual([]);
    expect(boundaryErrors(production).length).toBeGreaterThan(0);
    expect(boundaryErrors(otherSupport).length).toBeGreaterThan(0);
  });
});
