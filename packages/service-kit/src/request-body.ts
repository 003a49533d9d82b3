import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link watchForStall}. */
export interface StallWatchOptions {
  /** How long progress may stand still while {@link StallWatchOptions.waiting} says we wait. */
  timeoutMs: number;
  /** A number that changes whenever there is progress, e.g. the bytes read from a socket. */
  progress: () => number;
  /** Whether the time passing now is spent waiting on the party watched; other time does not count. */
  waiting: () => boolean;
  /** Called once, when the timeout passed. */
  onStall: () => void;
}

/** A running {@link watchForStall}. */
export interface StallWatch {
  stop(): void;
}

/**
 * Calls `onStall` when `progress` stood still for `timeoutMs` of time spent waiting on the other party.
 * Time we are not waiting on them (backpressure: we are the slow one) does not count, so an idle
 * timeout never blames a client for our own slow storage, or an upstream for a slow client.
 * Checks at a quarter of the timeout (at most every second), so it fires within 25% of it.
 */
export function watchForStall(options: StallWatchOptions): StallWatch {
  let last = options.progress();
  let since = Date.now();
  const timer = setInterval(
    () => {
      const now = Date.now();
      const current = options.progress();
      if (current !== last || !options.waiting()) {
        last = current;
        since = now;
      } else if (now - since >= options.timeoutMs) {
        clearInterval(timer);
        options.onStall();
      }
    },
    Math.max(20, Math.min(1_000, Math.floor(options.timeoutMs / 4))),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Options of {@link discardRequestBody}. */
export interface DiscardOptions {
  /** Read and drop at most this many more bytes (default 8 MiB); past them the connection is closed. */
  maxBytes?: number;
  /** Close the connection when the client sends nothing for this long. */
  idleTimeoutMs: number;
  /** The answer to the request: the connection is closed only once it is sent. */
  response?: ServerResponse;
}

const DEFAULT_DISCARD_BYTES = 8 * 1024 * 1024;

/**
 * After a request was answered without reading its whole body (refused early), reads the rest and
 * drops it: a browser reads the answer only once its body is sent or the connection closes, and an
 * unread body would also stall the keep-alive connection. Whatever was reading the body (a multipart
 * parser) is detached first. Past `maxBytes`, or when the client goes silent, the connection is closed
 * after the answer instead, so a refused huge upload is not received in full.
 */
export function discardRequestBody(raw: IncomingMessage, options: DiscardOptions): void {
  if (raw.complete || raw.destroyed) return;
  raw.unpipe();
  // The client going away now concerns nobody: the request has been answered.
  raw.on('error', () => undefined);
  const socket = raw.socket;
  const bytesRead = () => socket?.bytesRead ?? 0;
  const start = bytesRead();
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    watch.stop();
    raw.pause();
    const response = options.response;
    const destroy = () => socket?.destroySoon();
    if (!response || response.writableFinished || response.destroyed) return destroy();
    response.once('finish', destroy);
    response.once('close', destroy);
  };
  const watch = watchForStall({ timeoutMs: options.idleTimeoutMs, progress: bytesRead, waiting: () => !raw.complete, onStall: close });
  raw.on('data', () => {
    if (bytesRead() - start > (options.maxBytes ?? DEFAULT_DISCARD_BYTES)) close();
  });
  raw.once('end', () => watch.stop());
  raw.once('close', () => watch.stop());
  raw.resume();
}
