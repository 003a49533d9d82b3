import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { renderArtefacts } from './artefacts.js';
import { breakingChanges } from './compatibility.js';
import { PhotoUploadedV1 } from './events/photo-uploaded.js';
import { photoCatalogue } from './photo-events.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('compatibility check', () => {
  const published = clone(PhotoUploadedV1.schema) as unknown as Record<string, any>;

  it('accepts an additive change: a new optional field', () => {
    const next = clone(published);
    next.properties.album = { type: 'string' };
    expect(breakingChanges(published, next)).toEqual([]);
  });

  it('accepts tightening a constraint', () => {
    const next = clone(published);
    next.properties.filename.maxLength = 100;
    expect(breakingChanges(published, next)).toEqual([]);
  });

  it('catches a removed required field', () => {
    const next = clone(published);
    delete next.properties.sha256;
    next.required = next.required.filter((name: string) => name !== 'sha256');
    expect(breakingChanges(published, next)).toEqual(['/sha256: required field is no longer required or was removed']);
  });

  it('catches a changed type', () => {
    const next = clone(published);
    next.properties.bytes = { type: 'string' };
    expect(breakingChanges(published, next)).toEqual(['/bytes: type changed from integer to string']);
  });

  it('catches a new enum member and a loosened limit', () => {
    const next = clone(published);
    next.properties.contentType.anyOf.push({ const: 'image/jxl', type: 'string' });
    next.properties.filename.maxLength = 1000;
    expect(breakingChanges(published, next).sort()).toEqual(['/contentType: new values "image/jxl"', '/filename: maxLength loosened from 255 to 1000']);
  });

  it('catches a change in a nested object', () => {
    const schema = Type.Object({ gps: Type.Object({ latitude: Type.Number({ minimum: -90 }) }) });
    const next = Type.Object({ gps: Type.Object({ latitude: Type.Number({ minimum: -180 }) }) });
    expect(breakingChanges(schema as never, next as never)).toEqual(['/gps/latitude: minimum loosened from -90 to -180']);
  });

  it('finds every current contract compatible with its published (committed) schema', () => {
    for (const family of photoCatalogue.list()) {
      for (const definition of family.versions) {
        const committed = JSON.parse(readFileSync(join(packageRoot, 'schemas', `${definition.type}.json`), 'utf8'));
        expect(breakingChanges(committed, definition.schema as never), definition.type).toEqual([]);
      }
    }
  });
});

describe('published artefacts', () => {
  it('are up to date with the contracts (run `npm run contracts:generate`)', () => {
    for (const [file, content] of renderArtefacts()) {
      expect(readFileSync(join(packageRoot, file), 'utf8'), `${file} is stale`).toBe(content);
    }
  });

  it('describe every event version in the AsyncAPI 3 document', () => {
    const doc = JSON.parse(readFileSync(join(packageRoot, 'asyncapi.json'), 'utf8'));
    expect(doc.asyncapi).toBe('3.0.0');
    const names = Object.values(doc.components.messages).map((m: any) => m.name);
    expect(names.sort()).toEqual(['photo.deleted.v1', 'photo.processed.v1', 'photo.processing-failed.v1', 'photo.uploaded.v1']);
    expect(doc.channels.photoEvents.address).toBe('photo-events');
  });
});
