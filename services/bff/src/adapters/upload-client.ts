import type { IncomingMessage } from 'node:http';
import { watchForStall } from '@photos/service-kit';
import { UpstreamError, withTraceContext } from './metadata-client.js';

/** The upload service's answer, relayed as is. */
export interface UploadAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Options of {@link uploadClient}. */
export interface UploadClientOptions {
  uploadUrl: string;
  /** How long the upload service may leave an upload without progress while the BFF waits on it. */
  stallTimeoutMs: number;
  fetchImpl?: typeof fetch;
}

/** Passes an upload to the upload service. */
export interface UploadClient {
  /**
   * Streams the body of `request` to POST /photos, untouched and unbuffered, and returns the answer.
   * @throws {UpstreamError} 502 when the upload service is unreachable or fails mid-request, 504 when
   *   it stalls. The client's request is then left unread, for the caller to answer and discard.
   */
  forward(request: IncomingMessage, headers: Record<string, string>): Promise<UploadAnswer>;
}

class Stalled extends Error {}

/**
 * The BFF's side of the upload hop. The upload service going away is noticed at once (its connection
 * breaks); its stalling (a hung process, a network partition) by a stall watch: time counts only while
 * the BFF waits on it, i.e. while it does not take the body the client already sent, or, once the whole
 * body is sent, does not answer. A slow client is the upload service's to time out, not ours. A client
 * that goes away aborts the hop, so the upload service rolls back.
 */
export function uploadClient(options: UploadClientOptions): UploadClient {
  const fetchImpl = options.fetchImpl ?? fetch;
  return {
    async forward(request, headers) {
      const controller = new AbortController();
      let answered = 0;
      const watch = watchForStall({
        timeoutMs: options.stallTimeoutMs,
        progress: () => (request.socket?.bytesRead ?? 0) + answered,
        waiting: () => request.isPaused() || request.readableEnded,
        onStall: () => controller.abort(new Stalled()),
      });
      const clientGone = () => {
        if (!request.complete) controller.abort(new Error('the client went away'));
      };
      request.once('close', clientGone);
      try {
        const response = await fetchImpl(new URL('/photos', options.uploadUrl), {
          method: 'POST',
          headers: withTraceContext(headers),
          body: bodyOf(request),
          duplex: 'half',
          signal: controller.signal,
        } as RequestInit);
        answered++;
        const body = await response.text();
        return { status: response.status, contentType: response.headers.get('content-type') ?? 'application/json', body };
      } catch {
        if (controller.signal.reason instanceof Stalled) {
          throw new UpstreamError(504, { title: 'Gateway Timeout', detail: 'The upload service stopped responding.' });
        }
        throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The upload service is unreachable or failed.' });
      } finally {
        watch.stop();
        request.off('close', clientGone);
      }
    },
  };
}

/**
 * The client's request body as a web stream, with backpressure. Unlike `Readable.toWeb`, cancelling it
 * (the hop failed or the upload service answered early) detaches from the request instead of
 * destroying it: the BFF still has to answer the client on that connection.
 */
function bodyOf(request: IncomingMessage): ReadableStream<Uint8Array> {
  let detach = () => undefined as void;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true;
        const onData = (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) request.pause();
        };
        const onEnd = () => {
          if (open) controller.close();
          detach();
        };
        const onError = (error: Error) => {
          if (open) controller.error(error);
          detach();
        };
        detach = () => {
          open = false;
          request.off('data', onData);
          request.off('end', onEnd);
          request.off('error', onError);
        };
        request.on('data', onData);
        request.once('end', onEnd);
        request.once('error', onError);
      },
      pull() {
        request.resume();
      },
      cancel() {
        detach();
        request.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}
