import type { Registry } from 'prom-client';
import { BusMetrics } from './bus-metrics.js';
import type { BusLogger } from './logger.js';

type Level = keyof BusLogger;

/** Lines logged before the real logger is attached, kept to replay; beyond this only a count is kept. */
const EARLY_LINES = 200;

/**
 * A logger and metrics for a bus that must exist before the app owning the real ones: a service's app
 * takes its bus as a dependency, and the app creates its logger and metrics registry. Pass it to
 * `createEventBus(config, telemetry)`, build the app, then `telemetry.attach(app.log.child(...), app.metrics)`.
 * Lines logged before attach (connecting to the broker) are replayed then; counters keep their counts.
 */
export interface BusTelemetry {
  readonly logger: BusLogger;
  readonly metrics: BusMetrics;
  attach(logger: BusLogger, registry: Registry): void;
}

/** A {@link BusTelemetry} whose logger buffers until `attach`. */
export function createBusTelemetry(): BusTelemetry {
  let target: BusLogger | undefined;
  let early: [Level, object, string][] = [];
  let dropped = 0;
  const line = (level: Level) => (object: object, message: string) => {
    if (target) return target[level](object, message);
    if (early.length < EARLY_LINES) early.push([level, object, message]);
    else dropped++;
  };
  const logger: BusLogger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  const metrics = new BusMetrics();
  return {
    logger,
    metrics,
    attach(real, registry) {
      if (target) throw new Error('bus telemetry is already attached');
      target = real;
      for (const [level, object, message] of early) real[level](object, message);
      if (dropped > 0) real.warn({ dropped }, 'bus log lines dropped before the logger was attached');
      early = [];
      metrics.register(registry);
    },
  };
}
