import { Counter, type Registry } from 'prom-client';

/** How a consumed message ended: handled (or skipped, no handler) and acknowledged, or dead-lettered. */
export type ConsumedOutcome = 'ack' | 'dead-letter';

/**
 * The bus's Prometheus counters. They count from the bus's creation; {@link BusMetrics.register} puts
 * them in a registry (the app's `app.metrics`), which may come later than the bus: a service creates its
 * bus before its app. A registry holds the counters of one bus (one per process or per embedded service).
 */
export class BusMetrics {
  private readonly publishedTotal = new Counter({
    name: 'bus_events_published_total',
    help: 'Events published by this process, by event type.',
    labelNames: ['type'] as const,
    registers: [],
  });
  private readonly consumedTotal = new Counter({
    name: 'bus_events_consumed_total',
    help: 'Messages consumed, by group, event type (unknown when undecodable) and outcome (ack, dead-letter).',
    labelNames: ['group', 'type', 'outcome'] as const,
    registers: [],
  });
  private readonly retriesTotal = new Counter({
    name: 'bus_handler_retries_total',
    help: 'Handler failures that will be retried, by group and whether the failure was transient (a dependency down).',
    labelNames: ['group', 'transient'] as const,
    registers: [],
  });
  private readonly deadLettersTotal = new Counter({
    name: 'bus_dead_letters_total',
    help: 'Messages sent to the dead-letter channel, by group.',
    labelNames: ['group'] as const,
    registers: [],
  });
  private readonly replayedTotal = new Counter({
    name: 'bus_dead_letters_replayed_total',
    help: 'Dead letters replayed to their group, by group.',
    labelNames: ['group'] as const,
    registers: [],
  });

  constructor(registry?: Registry) {
    if (registry) this.register(registry);
  }

  /** Adds the counters to `registry`; they keep what they counted before. */
  register(registry: Registry): void {
    const counters: Counter<string>[] = [this.publishedTotal, this.consumedTotal, this.retriesTotal, this.deadLettersTotal, this.replayedTotal];
    for (const counter of counters) registry.registerMetric(counter);
  }

  published(type: string): void {
    this.publishedTotal.inc({ type });
  }

  consumed(group: string, type: string | undefined, outcome: ConsumedOutcome): void {
    this.consumedTotal.inc({ group, type: type ?? 'unknown', outcome });
    if (outcome === 'dead-letter') this.deadLettersTotal.inc({ group });
  }

  retried(group: string, transient: boolean): void {
    this.retriesTotal.inc({ group, transient: String(transient) });
  }

  replayed(group: string, count: number): void {
    if (count > 0) this.replayedTotal.inc({ group }, count);
  }
}
