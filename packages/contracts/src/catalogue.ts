import { Compile, type Validator } from 'typebox/compile';
import { CloudEventAttributes, type CloudEvent } from './envelope.js';
import type { EventDefinition } from './define-event.js';
import type { EventFamily, LatestData } from './event-family.js';

/** Thrown when an event does not match its contract. `problems` lists every mismatch, JSON-pointer first. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(`${message}: ${problems.join('; ')}`);
  }
}

/** Context attributes a publisher supplies when it creates an event. */
export interface EventContext {
  /** URI reference of the emitting service, e.g. `/services/upload`. */
  source: string;
  correlationId?: string;
  traceparent?: string;
  /** Defaults to a random UUID. */
  id?: string;
  /** Defaults to now. */
  time?: Date;
}

/** The family named `N` among `F`. */
type FamilyNamed<F extends EventFamily, N extends string> = Extract<F, { name: N }>;

/** The event of family `N`, in its latest version. */
export type LatestEvent<F extends EventFamily, N extends F['name']> = CloudEvent<FamilyNamed<F, N>['latest']['type'], LatestData<FamilyNamed<F, N>>>;

const validateAttributes = Compile(CloudEventAttributes);

function problemsOf(validator: Validator, value: unknown, prefix: string): string[] {
  return [...validator.Errors(value)].map((e) => `${prefix}${e.instancePath || '/'} ${e.message}`);
}

/**
 * A set of event families: the single place that knows every event type and version. It validates
 * envelopes and data (on publish and on consume), creates events in their latest version and upcasts
 * old versions on read.
 */
export class EventCatalogue<F extends EventFamily = EventFamily> {
  private readonly families = new Map<string, EventFamily>();
  private readonly byType = new Map<string, { family: EventFamily; definition: EventDefinition; validator: Validator }>();

  /**
   * @param channel the topic (Kafka) or exchange (AMQP) that carries every event of these families;
   *   one channel keeps all events of one subject in order.
   */
  constructor(
    readonly channel: string,
    families: readonly F[],
  ) {
    for (const family of families) {
      if (this.families.has(family.name)) throw new Error(`duplicate event family ${family.name}`);
      this.families.set(family.name, family);
      for (const definition of family.versions) {
        this.byType.set(definition.type, { family, definition, validator: Compile(definition.schema) });
      }
    }
  }

  /** Every family, for documentation and routing. */
  list(): readonly F[] {
    return [...this.families.values()] as F[];
  }

  /** The family an event type belongs to, or undefined for an unknown type or version. */
  familyOf(type: string): F | undefined {
    return this.byType.get(type)?.family as F | undefined;
  }

  /** Builds a valid event of the latest version of `name`; throws InvalidEventError on bad data. */
  create<N extends F['name']>(name: N, subject: string, data: LatestData<FamilyNamed<F, N>>, context: EventContext): LatestEvent<F, N> {
    const family = this.families.get(name);
    if (!family) throw new InvalidEventError('unknown event', [`no family named ${name}`]);
    const { type, dataschema } = family.latest;
    const event = {
      specversion: '1.0' as const,
      id: context.id ?? crypto.randomUUID(),
      source: context.source,
      type,
      time: (context.time ?? new Date()).toISOString(),
      subject,
      datacontenttype: 'application/json' as const,
      dataschema,
      ...(context.correlationId ? { correlationid: context.correlationId } : {}),
      ...(context.traceparent ? { traceparent: context.traceparent } : {}),
      data,
    };
    this.assertValid(event);
    return event as LatestEvent<F, N>;
  }

  /** Checks envelope and data against the contract of the event's own type and version. */
  validate(event: unknown): { ok: true; event: CloudEvent } | { ok: false; problems: string[] } {
    if (typeof event !== 'object' || event === null) return { ok: false, problems: ['/ must be an object'] };
    const { data, ...attributes } = event as Record<string, unknown>;
    const problems = problemsOf(validateAttributes, attributes, '');
    const entry = this.byType.get(String(attributes['type']));
    if (!entry) problems.push(`/type ${String(attributes['type'])} is not a known event type and version`);
    else problems.push(...problemsOf(entry.validator, data, '/data'));
    if (entry && typeof data === 'object' && data !== null && 'photoId' in data && data.photoId !== attributes['subject']) {
      problems.push('/subject must equal /data/photoId');
    }
    return problems.length === 0 ? { ok: true, event: event as CloudEvent } : { ok: false, problems };
  }

  /** Like validate, but throws InvalidEventError. */
  assertValid(event: unknown): CloudEvent {
    const result = this.validate(event);
    if (!result.ok) throw new InvalidEventError('event does not match its contract', result.problems);
    return result.event;
  }

  /** Turns a valid event of any published version into the latest version of its family. */
  upcast(event: CloudEvent): CloudEvent {
    const entry = this.byType.get(event.type);
    if (!entry) throw new InvalidEventError('cannot upcast', [`unknown type ${event.type}`]);
    const { family } = entry;
    let data = event.data;
    for (let version = entry.definition.version; version < family.latest.version; version++) {
      const upcaster = family.upcasters[version];
      if (upcaster) data = upcaster(data);
    }
    if (entry.definition === family.latest) return event;
    const upcast = { ...event, type: family.latest.type, dataschema: family.latest.dataschema, data };
    return this.assertValid(upcast);
  }
}
