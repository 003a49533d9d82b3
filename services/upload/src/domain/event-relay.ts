import type { CloudEvent } from '@photos/contracts';
import type { PendingEvents } from './pending-events.js';

export interface RelayLogger {
  warn(object: object, message: string): void;
}

/**
 * Publishes pending events and removes each once the broker has it. `publishNow` sends the events an
 * upload just wrote, straight from memory; the sweep, every `intervalMs`, lists the outbox and sends
 * what a broker outage or a crash left behind (sweeps never overlap). An event may go out twice (a
 * sweep racing publishNow, or several replicas): consumers dedupe on the event id.
 */
export function startEventRelay(deps: {
  pending: PendingEvents;
  publish: (event: CloudEvent) => Promise<void>;
  intervalMs: number;
  logger: RelayLogger;
}): { kick(): void; publishNow(events: CloudEvent[]): void; drain(): Promise<void>; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function runOnce(): Promise<void> {
    for (;;) {
      const batch = await deps.pending.list(100);
      for (const event of batch) {
        if (stopped) return;
        await deps.publish(event);
        await deps.pending.remove(event.id);
      }
      if (batch.length < 100) return;
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = runOnce()
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'pending events not published yet; will retry'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  const timer = setInterval(kick, deps.intervalMs);
  timer.unref();
  kick();

  return {
    kick,
    publishNow(events) {
      for (const event of events) {
        deps
          .publish(event)
          .then(() => deps.pending.remove(event.id))
          .catch((error: unknown) => deps.logger.warn({ err: error, eventId: event.id }, 'event not published yet; the sweep will retry'));
      }
    },
    async drain() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
