/**
 * The web app's API types are generated from the BFF's OpenAPI document: this fails while the committed
 * files (apps/web/src/generated) differ from what `npm run api:generate` writes from the current routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, generatedApiFiles } from '../../scripts/api-types.js';

describe('generated API types', () => {
  it("are those the BFF's current document generates (else run `npm run api:generate`)", async () => {
    const files = await generatedApiFiles();
    expect(Object.keys(files).sort()).toEqual(['api.ts', 'openapi.json']);
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(join(GENERATED_DIR, name), 'utf8'), `apps/web/src/generated/${name} is stale: run npm run api:generate`).toBe(text);
    }
  });
});
