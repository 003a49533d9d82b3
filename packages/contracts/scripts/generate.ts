/**
 * Writes the published artefacts of the contracts: one JSON Schema per event version under schemas/
 * and the AsyncAPI 3 document. Run `npm run contracts:generate` after changing a contract; a test
 * fails while the committed files are stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtefacts } from '../src/artefacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, content] of renderArtefacts()) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
  console.log(`wrote ${file}`);
}
