import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { renderArtefacts } from './artefacts.js';
import { asyncApiDocument } from './asyncapi.js';
import { EventCatalogue } from './catalogue.js';
import { defineFamily } from './event-family.js';
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

  it('reads a type from literals when none is written, and lets a number become an integer only', () => {
    expect(breakingChanges({ const: 'a' }, { type: 'string' })).toEqual(['/: new values "(any value)"']);
    expect(breakingChanges({ enum: [1, 2] }, { type: 'number' })).toEqual(['/: new values "(any value)"']);
    expect(breakingChanges({ enum: [1, 2] }, { type: 'string' })).toEqual(['/: type changed from number to string']);
    expect(breakingChanges({ anyOf: [{ const: true }] }, { type: 'boolean' })).toEqual(['/: new values "(any value)"']);
    expect(breakingChanges({ type: 'number' }, { type: 'integer' })).toEqual([]);
    expect(breakingChanges({ type: 'integer' }, { type: 'number' })).toEqual(['/: type changed from integer to number']);
    expect(breakingChanges({ type: 'string' }, { type: 'integer' })).toEqual(['/: type changed from string to integer']);
    expect(breakingChanges({ type: 'string' }, {})).toEqual(['/: type changed from string to anything']);
    // A union of schemas that are not all literals is no enum: nothing known, nothing flagged.
    expect(breakingChanges({ anyOf: [{ const: 'a' }, { type: 'string' }] }, { type: 'number' })).toEqual([]);
  });

  it('compares enums by value, wherever they come from', () => {
    expect(breakingChanges({ const: 'a' }, { const: 'a' })).toEqual([]);
    expect(breakingChanges({ const: 'a' }, { const: 'b' })).toEqual(['/: new values "b"']);
    expect(breakingChanges({ enum: ['a', 'b'] }, { enum: ['b', 'a'] })).toEqual([]);
    expect(breakingChanges({ enum: ['a'] }, { enum: ['a', 'b', 'c'] })).toEqual(['/: new values "b", "c"']);
    expect(breakingChanges({ enum: [1, 2] }, { enum: [1, 2, 3] })).toEqual(['/: new values 3']);
  });

  it('catches every loosened or dropped limit, and accepts equal or tighter ones', () => {
    const before = { type: 'integer', minimum: 0, exclusiveMinimum: -1, maximum: 10, exclusiveMaximum: 11 };
    expect(breakingChanges(before, { ...before })).toEqual([]);
    expect(breakingChanges(before, { ...before, minimum: 1, maximum: 9 })).toEqual([]);
    expect(breakingChanges(before, { ...before, minimum: -1, maximum: 11 })).toEqual(['/: minimum loosened from 0 to -1', '/: maximum loosened from 10 to 11']);
    expect(breakingChanges(before, { type: 'integer' })).toEqual([
      '/: minimum loosened from 0 to none',
      '/: exclusiveMinimum loosened from -1 to none',
      '/: maximum loosened from 10 to none',
      '/: exclusiveMaximum loosened from 11 to none',
    ]);
    expect(breakingChanges({ type: 'array', minItems: 1, maxItems: 3 }, { type: 'array', minItems: '1', maxItems: 3 })).toEqual([
      '/: minItems loosened from 1 to 1',
    ]);
    expect(breakingChanges({ type: 'string', maxLength: 10 }, { type: 'string', maxLength: '5' })).toEqual(['/: maxLength loosened from 10 to 5']);
  });

  it('catches a changed or dropped pattern or format', () => {
    expect(breakingChanges({ type: 'string', pattern: '^a$' }, { type: 'string', pattern: '^a$' })).toEqual([]);
    expect(breakingChanges({ type: 'string', pattern: '^a$' }, { type: 'string', pattern: '^b$' })).toEqual(['/: pattern changed from ^a$ to ^b$']);
    expect(breakingChanges({ type: 'string', format: 'uuid' }, { type: 'string' })).toEqual(['/: format changed from uuid to none']);
    // Adding a format tightens.
    expect(breakingChanges({ type: 'string' }, { type: 'string', format: 'uuid' })).toEqual([]);
  });

  it('refuses a new field only where the old schema allowed none', () => {
    const closed = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
    expect(breakingChanges(closed, { ...closed, properties: { a: { type: 'string' }, b: { type: 'string' } } })).toEqual([
      '/b: new field where the old schema allowed none',
    ]);
    expect(breakingChanges(closed, closed)).toEqual([]);
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    expect(breakingChanges(open, { ...open, properties: { a: { type: 'string' }, b: { type: 'string' } } })).toEqual([]);
  });

  it('looks into array items, and object fields only of objects', () => {
    expect(breakingChanges({ type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'number' } })).toEqual([
      '/items: type changed from string to number',
    ]);
    expect(breakingChanges({ type: 'array', items: { type: 'string' } }, { type: 'array' })).toEqual([]);
    expect(breakingChanges({ type: 'array' }, { type: 'array', items: { type: 'string' } })).toEqual([]);
    // Not an object: `required` and `properties` mean nothing here.
    expect(breakingChanges({ type: 'string', required: ['x'], properties: { x: { type: 'string' } } }, { type: 'string' })).toEqual([]);
    expect(breakingChanges({ type: 'string', items: { type: 'string' } }, { type: 'string', items: { type: 'number' } })).toEqual([]);
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

  it('are rendered for every event version, and nothing is committed that is not rendered', () => {
    const committed = ['asyncapi.json', ...readdirSync(join(packageRoot, 'schemas')).map((name) => `schemas/${name}`)];
    expect([...renderArtefacts().keys()].sort()).toEqual(committed.sort());
  });

  it('mark the versions older than the latest deprecated in the AsyncAPI document', () => {
    const v2 = { ...PhotoUploadedV1, version: 2, type: 'photo.uploaded.v2' } as unknown as typeof PhotoUploadedV1;
    const catalogue = new EventCatalogue('test', [defineFamily([PhotoUploadedV1, v2], { 1: (data) => data })]);
    const messages = (asyncApiDocument(catalogue, { title: 't', version: '1' }) as { components: { messages: Record<string, { deprecated?: boolean }> } })
      .components.messages;
    expect(Object.entries(messages).map(([id, message]) => [id, message.deprecated ?? false])).toEqual([
      ['photoUploadedV1', true],
      ['photoUploadedV2', false],
    ]);
  });

  it('describe every event version in the AsyncAPI 3 document', () => {
    const doc = JSON.parse(readFileSync(join(packageRoot, 'asyncapi.json'), 'utf8'));
    expect(doc.asyncapi).toBe('3.0.0');
    const names = Object.values(doc.components.messages).map((m: any) => m.name);
    expect(names.sort()).toEqual([
      'album.created.v1',
      'album.deleted.v1',
      'album.photos-added.v1',
      'album.share-revoked.v1',
      'album.shared.v1',
      'photo.deleted.v1',
      'photo.processed.v1',
      'photo.processing-failed.v1',
      'photo.uploaded.v1',
      'share-link.created.v1',
      'share-link.revoked.v1',
    ]);
    expect(doc.channels.photoEvents.address).toBe('photo-events');
  });
});
