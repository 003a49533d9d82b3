import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/** Runs after the HTTP server has closed, e.g. stop consumers, close the event bus. */
export type ShutdownHook = () => Promise<void> | void;

/** Options of {@link shutDown}. */
export interface ShutdownOptions {
  /**
   * How long to keep serving after marking not ready, so load balancers notice /health/ready failing
   * before the listener closes. Default 0.
   */
  drainDelayMs?: number;
  /** Run in order after `app.close()`; a failing hook is logged and the others still run. */
  onShutdown?: ShutdownHook | readonly ShutdownHook[];
}

/**
 * The graceful part of shutdown, without process concerns: marks the app not ready, waits `drainDelayMs`,
 * closes it (stops accepting, lets in-flight requests finish, runs `onClose` hooks), then runs the
 * `onShutdown` hooks. Rejects with an AggregateError if closing or a hook failed.
 */
export async function shutDown(app: FastifyInstance, options: ShutdownOptions = {}): Promise<void> {
  if (app.hasDecorator('health')) app.health.beginShutdown();
  if (options.drainDelayMs) await sleep(options.drainDelayMs);

  const failures: unknown[] = [];
  try {
    await app.close();
  } catch (error) {
    app.log.error({ err: error }, 'closing the app failed');
    failures.push(error);
  }
  const hooks = typeof options.onShutdown === 'function' ? [options.onShutdown] : (options.onShutdown ?? []);
  for (const hook of hooks) {
    try {
      await hook();
    } catch (error) {
      app.log.error({ err: error }, 'shutdown hook failed');
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'shutdown did not complete cleanly');
}
