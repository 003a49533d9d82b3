import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// Development tooling (Prisma's WebAssembly engine): the migrations are authored from schema.prisma.
import { diffMigrationsToSchema } from '../../scripts/prisma-wasm-engine.js';
import { prismaPaths } from './migrations-folder.js';

describe('schema.prisma and prisma/migrations', () => {
  it('agree (when this fails, write a migration: README, "Migrations")', async () => {
    expect(await diffMigrationsToSchema(prismaPaths.schema, prismaPaths.migrations)).toBe('');
  });

  it('disagree when schema.prisma is ahead of the migrations', async () => {
    const schema = join(mkdtempSync(join(tmpdir(), 'schema-')), 'schema.prisma');
    writeFileSync(schema, `${readFileSync(prismaPaths.schema, 'utf8')}\nmodel Extra {\n  id Int @id\n}\n`);
    expect(await diffMigrationsToSchema(schema, prismaPaths.migrations)).toMatch(/CREATE TABLE "Extra"/);
  });
});
