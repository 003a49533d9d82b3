/**
 * The AsyncAPI document against what the event bus really sends: an event published through the Kafka
 * adapter (on the broker of test/global-setup.ts) and through the RabbitMQ adapter (local broker, a vhost of
 * its own) is read back raw from the broker, and its headers are validated against the message's headers
 * schema as @asyncapi/parser reads it from the committed asyncapi.json. A header the code adds, drops or
 * renames fails here, so the document and the code cannot drift apart.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, type AsyncAPIDocumentInterface, type MessageInterface } from '@asyncapi/parser';
import { EventCatalogue, photoFamilies, type PhotoFamily } from '@photos/contracts';
import { createKafkaBus, createRabbitMqBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import type { ValidateFunction } from 'ajv';
import { connect } from 'amqplib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { firstKafkaRecord, nextGroupMessage, uploadedEvent } from '../support/raw-messages.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

let document: AsyncAPIDocumentInterface;

beforeAll(async () => {
  const { document: parsed, diagnostics } = await new Parser().parse(readFileSync(join(root, 'packages', 'contracts', 'asyncapi.json'), 'utf8'));
  // Errors and warnings (severity 0, 1); information such as "3.1.0 exists" is not a defect of the document.
  expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
  document = parsed!;
});

function messageOf(type: string): MessageInterface {
  const message = document
    .messages()
    .all()
    .find((m) => m.name() === type);
  if (!message) throw new Error(`${type} is not in the AsyncAPI document`);
  return message;
}

/** The message's headers schema, as the parser resolved it, compiled by Ajv (with the formats it names). */
function headersValidator(type: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(messageOf(type).headers()!.json());
}

const errorsOf = (validate: ValidateFunction, headers: Record<string, unknown>): string[] =>
  validate(headers) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);

const uploaded = (catalogue: EventCatalogue<PhotoFamily>) =>
  uploadedEvent(catalogue, { source: '/test/asyncapi-headers', correlationId: randomUUID(), traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` });

describe('the AsyncAPI document describes the headers the event bus sends', () => {
  it('Kafka: the record published by the Kafka adapter has the headers of photo.uploaded.v1, and its key is the subject', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`asyncapi-headers-${randomUUID().slice(0, 8)}`, photoFamilies);
    const brokers = inject('kafkaBrokers');
    const bus = await createKafkaBus({ brokers, clientId: 'asyncapi-headers', catalogue });
    try {
      const event = uploaded(catalogue);
      await bus.publish(event);
      const record = await firstKafkaRecord(brokers, catalogue.channel);

      expect(errorsOf(headersValidator(event.type), record.headers)).toEqual([]);
      expect(record.headers['ce_id']).toBe(event.id);
      expect(record.key).toBe(event.subject);
      // The document names the key for the Kafka binding.
      expect(messageOf(event.type).bindings().get('kafka')?.value()).toHaveProperty('key');
    } finally {
      await bus.close();
    }
  });

  it('AMQP: the message published by the RabbitMQ adapter has the headers of photo.uploaded.v1, its content type the message property', async () => {
    const { url, remove } = await createTestVhost('asyncapi-headers');
    const catalogue = new EventCatalogue<PhotoFamily>('photo-events', photoFamilies);
    const bus = await createRabbitMqBus({ url, catalogue });
    const connection = await connect(url);
    try {
      // A group's queue, declared by the adapter itself (then left without a consumer), receives the event.
      const group = 'asyncapi-headers';
      const subscription = await bus.subscribe({ group, handlers: {} });
      await subscription.stop();
      const event = uploaded(catalogue);
      await bus.publish(event);
      const { headers, properties } = await nextGroupMessage(connection, catalogue.channel, group);

      expect(errorsOf(headersValidator(event.type), headers)).toEqual([]);
      expect(headers['cloudEvents:id']).toBe(event.id);
      expect(properties.contentType).toBe(messageOf(event.type).contentType());
    } finally {
      await connection.close();
      await bus.close();
      await remove();
    }
  });

  it('the headers schema refuses what no transport sends: the old ce_datacontenttype instead of content-type, or a missing attribute', () => {
    const validate = headersValidator('photo.uploaded.v1');
    const event = uploaded(new EventCatalogue<PhotoFamily>('photo-events', photoFamilies));
    const kafka: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(event)) if (name !== 'data' && name !== 'datacontenttype') kafka[`ce_${name}`] = String(value);
    expect(errorsOf(validate, kafka)).toEqual([]);

    const { 'content-type': _contentType, ...withoutContentType } = kafka;
    expect(errorsOf(validate, { ...withoutContentType, ce_datacontenttype: 'application/json' })).not.toEqual([]);
    const { ce_id: _id, ...withoutId } = kafka;
    expect(errorsOf(validate, withoutId)).not.toEqual([]);
  });
});
