/**
 * What every service consumes and produces is data in its definition (services/<service>/src/service.ts);
 * these checks hold it to the public contract, the AsyncAPI document: no service consumes or produces an
 * event the document does not publish, and no event of the document lacks a producer or a consumer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { albumFamilies } from '@photos/contracts';
import { services } from '../../scripts/flow-diagram.js';

interface AsyncApi {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { name: string }> };
}

const document = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'packages', 'contracts', 'asyncapi.json'), 'utf8')) as AsyncApi;

/** `photo.uploaded.v1` -> `photo.uploaded`: services name families, the document their versions. */
const familyOf = (messageName: string) => messageName.replace(/\.v\d+$/, '');

/** The event families each channel of the document carries. */
const channels = Object.entries(document.channels).map(([id, channel]) => ({
  id,
  families: new Set(Object.values(channel.messages).map(({ $ref }) => familyOf(document.components.messages[$ref.split('/').at(-1)!]!.name))),
}));
/**
 * Families published for consumers outside the platform (notifications, other teams): they need a
 * producer here, not a consumer. Named by the contracts themselves, so the exemption cannot grow unseen.
 */
const forOutside = new Set<string>(albumFamilies.map((family) => family.name));
const documented = new Set(channels.flatMap((channel) => [...channel.families]));
const consumed = services.flatMap((s) => s.consumes.flatMap((group) => group.events.map((event) => ({ service: s.name, group: group.group, event }))));
const produced = services.flatMap((s) => s.produces.map((event) => ({ service: s.name, event })));

describe('service definitions against the AsyncAPI document', () => {
  it('lists the four services, each with a name of its own', () => {
    expect(services.map((s) => s.name).sort()).toEqual(['bff', 'metadata', 'processor', 'upload']);
  });

  it('consumes only events the document publishes', () => {
    expect(consumed.filter(({ event }) => !documented.has(event))).toEqual([]);
  });

  it('produces only events the document publishes', () => {
    expect(produced.filter(({ event }) => !documented.has(event))).toEqual([]);
  });

  it('has, for every event of every channel, a service producing it and one consuming it (but for those published for outside)', () => {
    for (const channel of channels) {
      for (const family of channel.families) {
        expect(
          produced.filter(({ event }) => event === family).map(({ service }) => service),
          `${family} on ${channel.id}: producers`,
        ).not.toEqual([]);
        if (forOutside.has(family)) continue;
        expect(
          consumed.filter(({ event }) => event === family).map(({ service }) => service),
          `${family} on ${channel.id}: consumers`,
        ).not.toEqual([]);
      }
    }
  });

  it('has consumer groups of unique names', () => {
    const groups = services.flatMap((s) => s.consumes.map((group) => group.group));
    expect(new Set(groups).size).toBe(groups.length);
  });
});
