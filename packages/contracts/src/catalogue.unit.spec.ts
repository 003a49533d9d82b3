import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { EventCatalogue, InvalidEventError } from './catalogue.js';
import { defineEvent } from './define-event.js';
import { defineFamily } from './event-family.js';
import { photoCatalogue } from './photo-events.js';

const context = { source: '/services/test', correlationId: 'corr-1' };

describe('photo catalogue', () => {
  it('has a valid example for every event version', () => {
    for (const family of photoCatalogue.list()) {
      for (const definition of family.versions) {
        // The subject of a photo event is its photo, of an album event its album.
        const example = definition.example as { photoId?: string; albumId?: string };
        const subject = example.photoId ?? example.albumId;
        const event = {
          specversion: '1.0',
          id: randomUUID(),
          source: '/x',
          type: definition.type,
          time: new Date().toISOString(),
          subject,
          datacontenttype: 'application/json',
          dataschema: definition.dataschema,
          data: definition.example,
        };
        expect(photoCatalogue.validate(event), definition.type).toMatchObject({ ok: true });
      }
    }
  });

  it('creates CloudEvents 1.0 envelopes with the versioned type, subject and correlation id', () => {
    const photoId = randomUUID();
    const event = photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, context);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'photo.deleted.v1',
      subject: photoId,
      source: '/services/test',
      datacontenttype: 'application/json',
      dataschema: expect.stringMatching(/photo\.deleted\.v1\.json$/),
      correlationid: 'corr-1',
    });
    expect(Date.parse(event.time)).not.toBeNaN();
  });

  it('rejects bad data on create, naming the field', () => {
    const photoId = randomUUID();
    expect(() => photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: '', deletedAt: 'yesterday' }, context)).toThrowError(InvalidEventError);
    try {
      photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: '', deletedAt: 'yesterday' }, context);
    } catch (error) {
      expect((error as InvalidEventError).problems.join()).toMatch(/\/data\/ownerId/);
      expect((error as InvalidEventError).problems.join()).toMatch(/\/data\/deletedAt/);
    }
  });

  it('rejects unknown types, bad envelopes and a subject that is not the photo id', () => {
    const photoId = randomUUID();
    const good = photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, context);
    expect(photoCatalogue.validate({ ...good, type: 'photo.deleted.v9' })).toMatchObject({ ok: false });
    expect(photoCatalogue.validate({ ...good, specversion: '0.3' })).toMatchObject({ ok: false });
    expect(photoCatalogue.validate({ ...good, subject: randomUUID() })).toMatchObject({ ok: false, problems: ['/subject must equal /data/photoId'] });
    expect(photoCatalogue.validate('nope')).toMatchObject({ ok: false });
  });

  it('accepts additional data fields (open content), so additive changes never break readers', () => {
    const photoId = randomUUID();
    const good = photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, context);
    expect(photoCatalogue.validate({ ...good, data: { ...good.data, reason: 'user request' } })).toMatchObject({ ok: true });
  });
});

describe('what the catalogue says about a bad event', () => {
  const photoId = randomUUID();
  const good = () => photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, context);

  it('names each problem by its JSON pointer, the envelope at the root and the data under /data', () => {
    const { id: _id, ...withoutId } = good();
    expect(photoCatalogue.validate(withoutId)).toEqual({ ok: false, problems: ['/ must have required properties id'] });
    expect(photoCatalogue.validate({ ...good(), specversion: '0.3' })).toEqual({ ok: false, problems: ['/specversion must be equal to constant'] });
    expect(photoCatalogue.validate({ ...good(), data: { ...good().data, ownerId: '' } })).toEqual({
      ok: false,
      problems: ['/data/ownerId must not have fewer than 1 characters'],
    });
    expect(photoCatalogue.validate({ ...good(), data: null })).toEqual({ ok: false, problems: ['/data/ must be object'] });
    expect(photoCatalogue.validate({ ...good(), data: 'text' })).toEqual({ ok: false, problems: ['/data/ must be object'] });
    // The envelope is closed: an attribute CloudEvents does not define is refused.
    expect(photoCatalogue.validate({ ...good(), extension: 'x' })).toMatchObject({ ok: false });
    for (const notAnObject of [null, undefined, 'nope', 42]) {
      expect(photoCatalogue.validate(notAnObject)).toEqual({ ok: false, problems: ['/ must be an object'] });
    }
  });

  it('reports an unknown type once, without judging its data', () => {
    expect(photoCatalogue.validate({ ...good(), type: 'photo.deleted.v9', subject: randomUUID() })).toEqual({
      ok: false,
      problems: ['/type photo.deleted.v9 is not a known event type and version'],
    });
  });

  it('compares the subject with the photo id only when the data has one', () => {
    const noPhotoId = defineEvent({ name: 'thing.done', version: 1, description: 'd', schema: Type.Object({ at: Type.String() }), example: { at: 'x' } });
    const catalogue = new EventCatalogue('test', [defineFamily([noPhotoId])]);
    expect(catalogue.create('thing.done', 'any-subject', { at: 'now' }, context).subject).toBe('any-subject');
  });

  it('throws errors that carry the message, every problem and their own name', () => {
    const error = new InvalidEventError('event does not match its contract', ['/a bad', '/b worse']);
    expect(error).toMatchObject({
      name: 'InvalidEventError',
      message: 'event does not match its contract: /a bad; /b worse',
      problems: ['/a bad', '/b worse'],
    });
    expect(() => photoCatalogue.assertValid({ ...good(), specversion: '0.3' })).toThrow(
      'event does not match its contract: /specversion must be equal to constant',
    );
    expect(() => photoCatalogue.create('photo.renamed' as never, photoId, {} as never, context)).toThrow('unknown event: no family named photo.renamed');
    expect(() => photoCatalogue.upcast({ ...good(), type: 'photo.renamed.v1' } as never)).toThrow('cannot upcast: unknown type photo.renamed.v1');
  });

  it('adds the trace context only when there is one, and finds the family of a type', () => {
    expect(good()).not.toHaveProperty('traceparent');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(photoCatalogue.create('photo.deleted', photoId, good().data, { ...context, traceparent }).traceparent).toBe(traceparent);
    expect(photoCatalogue.familyOf('photo.deleted.v1')?.name).toBe('photo.deleted');
    expect(photoCatalogue.familyOf('photo.deleted.v9')).toBeUndefined();
  });

  it('refuses two families of one name', () => {
    const family = defineFamily([defineEvent({ name: 'thing.done', version: 1, description: 'd', schema: Type.Object({}), example: {} })]);
    expect(() => new EventCatalogue('test', [family, family])).toThrow('duplicate event family thing.done');
  });
});

describe('upcasting', () => {
  // A family with two versions, as the catalogue will hold once a breaking change ships as v2.
  const V1 = defineEvent({
    name: 'thing.renamed',
    version: 1,
    description: 'v1',
    schema: Type.Object({ photoId: Type.String({ format: 'uuid' }), name: Type.String() }),
    example: { photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30', name: 'a b' },
  });
  const V2 = defineEvent({
    name: 'thing.renamed',
    version: 2,
    description: 'v2 splits the name',
    schema: Type.Object({ photoId: Type.String({ format: 'uuid' }), first: Type.String(), last: Type.String() }),
    example: { photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30', first: 'a', last: 'b' },
  });
  const catalogue = new EventCatalogue('test', [
    defineFamily([V1, V2], {
      1: (data) => {
        const { name, ...rest } = data as { name: string };
        const [first = '', last = ''] = name.split(' ');
        return { ...rest, first, last };
      },
    }),
  ]);

  it('turns an old version into the latest one', () => {
    const photoId = randomUUID();
    const old = {
      specversion: '1.0',
      id: 'e1',
      source: '/x',
      type: 'thing.renamed.v1',
      time: new Date().toISOString(),
      subject: photoId,
      datacontenttype: 'application/json',
      dataschema: V1.dataschema,
      data: { photoId, name: 'Ada Lovelace' },
    };
    const event = catalogue.upcast(catalogue.assertValid(old));
    expect(event).toMatchObject({ type: 'thing.renamed.v2', dataschema: V2.dataschema, data: { photoId, first: 'Ada', last: 'Lovelace' } });
  });

  it('leaves the latest version as it is and creates only the latest', () => {
    const photoId = randomUUID();
    const event = catalogue.create('thing.renamed', photoId, { photoId, first: 'a', last: 'b' }, context);
    expect(catalogue.upcast(event)).toBe(event);
    expect(event.type).toBe('thing.renamed.v2');
  });

  it('skips versions that were never published', () => {
    const V3 = defineEvent({ ...V2, version: 3, description: 'v3' });
    const gapped = new EventCatalogue('test', [defineFamily([V1, V3], { 1: (data) => ({ ...(data as object), first: 'F', last: 'L' }) })]);
    const photoId = randomUUID();
    const old = {
      specversion: '1.0',
      id: 'e1',
      source: '/x',
      type: 'thing.renamed.v1',
      time: new Date().toISOString(),
      subject: photoId,
      datacontenttype: 'application/json',
      dataschema: V1.dataschema,
      data: { photoId, name: 'x' },
    };
    expect(gapped.upcast(gapped.assertValid(old))).toMatchObject({ type: 'thing.renamed.v3', data: { photoId, first: 'F', last: 'L' } });
  });

  it('refuses a family whose old version has no upcaster', () => {
    expect(() => defineFamily([V1, V2])).toThrow(/no upcaster from v1/);
  });
});
