import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeWithTable } from '../../scripts/config-table.js';
import { readmeWithFlow } from '../../scripts/flow-diagram.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands for a fresh machine, and CI runs exactly the test one', () => {
    const [run, test] = readme.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    expect(run).toMatch(/`npm ci && npm start`/);
    expect(test).toMatch(/`npm ci && npm test`/);
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci\nnpm test$/m);
  });

  it('has the configuration table of the current config schemas (run `npm run docs:config`)', () => {
    expect(readme).toBe(readmeWithTable(readme));
  });

  it('has the event flow of the current service definitions (run `npm run docs:flow`)', () => {
    expect(readme).toBe(readmeWithFlow(readme));
  });
});
