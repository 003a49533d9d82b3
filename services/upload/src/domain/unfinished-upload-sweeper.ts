import { startPeriodicTask } from './periodic-task.js';
import { sweepUnfinishedUploads } from './unfinished-uploads.js';
import type { UploadStorage } from './upload-storage.js';

/** What the sweeper reports; the app turns it into Prometheus metrics. */
export interface SweeperObserver {
  /** After each sweep: uploads still pending (under way or not yet expired). */
  intentsSeen(pending: number): void;
  /** Uploads rolled back by a sweep. */
  rolledBack(count: number): void;
}

/** Sweeps unfinished uploads older than `ttlMs` every `intervalMs` (see `sweepUnfinishedUploads`). */
export function startUnfinishedUploadSweeper(deps: {
  storage: UploadStorage;
  ttlMs: number;
  intervalMs: number;
  now: () => Date;
  logger: { warn(object: object, message: string): void };
  observer?: SweeperObserver;
}): { stop(): Promise<void> } {
  return startPeriodicTask(
    async () => {
      const { pending, rolledBack } = await sweepUnfinishedUploads(deps.storage, { ttlMs: deps.ttlMs, now: deps.now });
      deps.observer?.intentsSeen(pending);
      if (rolledBack > 0) {
        deps.observer?.rolledBack(rolledBack);
        deps.logger.warn({ rolledBack }, 'rolled back uploads that were never committed');
      }
    },
    deps.intervalMs,
    (error) => deps.logger.warn({ err: error }, 'unfinished uploads not swept yet; will retry'),
  );
}
