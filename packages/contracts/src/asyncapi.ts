import type { EventCatalogue } from './catalogue.js';
import { CloudEventAttributes } from './envelope.js';

const camel = (type: string) => type.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());

/** CloudEvents binary content mode prefixes of the attributes, per protocol binding (what the event bus sends). */
export const headerPrefixes = { kafka: 'ce_', amqp: 'cloudEvents:' } as const;

/**
 * The message headers as each transport sends them, in CloudEvents binary content mode. Kafka (Kafka
 * protocol binding 1.0): every attribute but `datacontenttype` as a `ce_` header, `datacontenttype` as the
 * `content-type` header. AMQP (AMQP binding 1.0): every attribute but `datacontenttype` as a `cloudEvents:`
 * application property (RabbitMQ: a header), `datacontenttype` as the message's `content-type` property,
 * which is not a header (the message's `contentType` says what it holds). No other header is sent.
 */
function transportHeaders(): Record<string, unknown> {
  const { datacontenttype, ...attributes } = CloudEventAttributes.properties;
  const required = CloudEventAttributes.required.filter((name) => name !== 'datacontenttype');
  const prefixed = (prefix: string) => Object.fromEntries(Object.entries(attributes).map(([name, schema]) => [`${prefix}${name}`, schema]));
  return {
    kafkaHeaders: {
      type: 'object',
      description:
        'Kafka record headers (CloudEvents Kafka protocol binding, binary content mode). The record key is the subject (photo id; album id for album events).',
      required: ['content-type', ...required.map((name) => `${headerPrefixes.kafka}${name}`)],
      properties: { 'content-type': datacontenttype, ...prefixed(headerPrefixes.kafka) },
      additionalProperties: false,
    },
    amqpHeaders: {
      type: 'object',
      description:
        'AMQP application properties (CloudEvents AMQP binding, binary content mode; RabbitMQ message headers). ' +
        "`datacontenttype` is the message's content-type property, and the event id its message-id property.",
      required: required.map((name) => `${headerPrefixes.amqp}${name}`),
      properties: prefixed(headerPrefixes.amqp),
      // What the broker adds on its way (RabbitMQ: x-delivery-count on quorum queues, x-death once dead-lettered).
      patternProperties: { '^x-': { description: 'Set by the broker, not by the publisher.' } },
      additionalProperties: false,
    },
  };
}

/**
 * The AsyncAPI 3 document of a catalogue: one channel, one message per event version, the CloudEvents
 * attributes as headers: those of Kafka or those of AMQP (binary content mode), exactly as sent.
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
        bindings: { kafka: { key: { type: 'string', description: 'The CloudEvents subject: the photo id (the album id for album events).' } } },
        examples: [{ name: 'example', payload: definition.example }],
        ...(definition === family.latest ? {} : { deprecated: true }),
      };
    }
  }
  Object.assign(schemas, transportHeaders());
  schemas['cloudEventHeaders'] = {
    type: 'object',
    description: 'The CloudEvents 1.0 attributes in binary content mode, as the Kafka or the AMQP binding carries them.',
    oneOf: [{ $ref: '#/components/schemas/kafkaHeaders' }, { $ref: '#/components/schemas/amqpHeaders' }],
  };
  const messageRefs = Object.fromEntries(Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }]));
  return {
    asyncapi: '3.0.0',
    info: {
      ...info,
      description:
        'Events of the photo platform. Delivery is at least once; on Kafka ordered per photo or album (message key = subject = photo or album id), ' +
        'on RabbitMQ not ordered. ' +
        'Consumers must be idempotent (dedupe on event id) and accept every version listed (older ones are upcast).',
    },
    defaultContentType: 'application/json',
    channels: {
      [camel(catalogue.channel)]: {
        address: catalogue.channel,
        description: 'Every photo lifecycle event keyed by photo id, and every album event keyed by album id.',
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
