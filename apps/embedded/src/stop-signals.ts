/** The signals that ask the platform to stop. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignalOptions {
  /** Signals this long after the first are the same request arriving again (default 2 s). */
  sameRequestMs?: number;
  /** Where signals come from; the process by default. */
  events?: Pick<NodeJS.EventEmitter, 'on'>;
  now?: () => number;
  /** Called on a later signal: stop waiting for the graceful stop. */
  exit?: (code: number) => void;
}

/**
 * Calls `stop` once, on the first SIGINT, SIGTERM or SIGHUP. One stop request often arrives twice at
 * once: Ctrl-C signals the terminal's whole process group, which holds the `npm start` launcher as well,
 * and the launcher passes signals on (systemd signals every process of a unit alike). Signals within
 * `sameRequestMs` of the first are taken as that request; a later one means the user insists, and the
 * process exits at once with code 1.
 */
export function onStopSignals(stop: (signal: string) => void, options: StopSignalOptions = {}): void {
  const { sameRequestMs = 2_000, events = process, now = Date.now, exit = (code) => process.exit(code) } = options;
  let first: number | undefined;
  for (const signal of STOP_SIGNALS) {
    events.on(signal, () => {
      if (first === undefined) {
        first = now();
        stop(signal);
      } else if (now() - first > sameRequestMs) {
        console.error(`${signal} again: exiting without waiting for the graceful stop`);
        exit(1);
      }
    });
  }
}
