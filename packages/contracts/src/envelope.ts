import Type, { type Static } from 'typebox';

/** Base URI of the platform's published JSON Schemas; `dataschema` of every event points below it. */
export const SCHEMA_BASE_URI = 'https://schemas.photo-platform.dev/events';

/**
 * The CloudEvents 1.0 context attributes every event carries (the envelope without `data`).
 * `subject` is always the photo id: it is also the partition key, so events of one photo stay in order.
 * `correlationid` and `traceparent` are CloudEvents extensions that follow a request from the browser
 * to the last consumer.
 */
export const CloudEventAttributes = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.String({ minLength: 1, format: 'uri-reference' }),
    type: Type.String({ pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*\\.v[0-9]+$' }),
    time: Type.String({ format: 'date-time' }),
    subject: Type.String({ minLength: 1 }),
    datacontenttype: Type.Literal('application/json'),
    dataschema: Type.String({ format: 'uri' }),
    correlationid: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    traceparent: Type.Optional(Type.String({ pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' })),
  },
  { additionalProperties: false },
);

/** The CloudEvents context attributes, as a type. */
export type CloudEventAttributes = Static<typeof CloudEventAttributes>;

/** A CloudEvent whose `data` is of type `D` and whose `type` is `T`. */
export interface CloudEvent<T extends string = string, D = unknown> extends CloudEventAttributes {
  type: T;
  data: D;
}
