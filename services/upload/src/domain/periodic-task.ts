/**
 * Runs `task` now and then every `intervalMs`, never two runs at once (a run that outlasts the interval
 * delays the next). A failed run is reported to `onError`; the next one tries again. The timer does
 * not keep the process alive.
 */
export function startPeriodicTask(task: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (stopped || running) return;
    running = task()
      .then(() => undefined, onError)
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
