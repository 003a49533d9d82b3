import type { EventCatalogue } from './catalogue.js';
import { CloudEventAttributes } from './envelope.js';

const camel = (type: string) => type.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());

/**
 * The AsyncAPI 3 document of a catalogue: one channel, one message per event version, the CloudEvents
 * attributes as headers (Kafka binary mode: `ce_` headers, key = subject = photo id).
 */
export function asyncApiDocument(catalogue: EventCatalogue, info: { title: string; version: string }): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const family of catalogue.list()) {
    for (const definition of family.versions) {
      const id = camel(definition.type);
      schemas[id] = definition.schema;
      messages[id] = {
        name: definition.type,
        title: definition.type,
        summary: definition.description,
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/cloudEventHeaders' },
        payload: { $ref: `#/components/schemas/${id}` },
        bindings: { kafka: { key: { type: 'string', description: 'The photo id (CloudEvents subject).' } } },
        examples: [{ name: 'example', payload: definition.example }],
        ...(definition === family.latest ? {} : { deprecated: true }),
      };
    }
  }
  const headerProperties = Object.fromEntries(
    Object.entries(CloudEventAttributes.properties).map(([name, schema]) => [`ce_${name}`, schema]),
  );
  schemas['cloudEventHeaders'] = {
    type: 'object',
    description: 'CloudEvents 1.0 attributes in binary mode. On AMQP the same attributes use the `cloudEvents:` prefix.',
    required: CloudEventAttributes.required.map((name) => `ce_${name}`),
    properties: headerProperties,
  };
  const messageRefs = Object.fromEntries(Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }]));
  return {
    asyncapi: '3.0.0',
    info: {
      ...info,
      description:
        'Events of the photo platform. Delivery is at least once, ordered per photo (message key = subject = photo id). ' +
        'Consumers must be idempotent (dedupe on event id) and accept every version listed (older ones are upcast).',
    },
    defaultContentType: 'application/json',
    channels: {
      [camel(catalogue.channel)]: {
        address: catalogue.channel,
        description: 'Every photo lifecycle event, keyed by photo id.',
        messages: messageRefs,
      },
    },
    operations: Object.fromEntries(
      Object.keys(messages).map((id) => [
        `receive${id[0]!.toUpperCase()}${id.slice(1)}`,
        {
          action: 'receive',
          channel: { $ref: `#/channels/${camel(catalogue.channel)}` },
          messages: [{ $ref: `#/channels/${camel(catalogue.channel)}/messages/${id}` }],
        },
      ]),
    ),
    components: { messages, schemas },
  };
}
