import type { Readable } from 'node:stream';
import type { MultipartFile, Multipart, MultipartValue } from '@fastify/multipart';
import { BadRequestError, discardRequestBody, PayloadTooLargeError, RequestTimeoutError, watchForStall, type StallWatch } from '@photos/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { multipartFailure, type MultipartLimits } from './multipart-failures.js';

/** Options of {@link MultipartFiles}. */
export interface MultipartFilesOptions {
  /** The form field whose files are photos; parts of other fields are skipped. */
  fieldName: string;
  /** No byte from the client for this long, while we wait for one: 408, nothing stored. */
  idleTimeoutMs: number;
  limits: MultipartLimits;
}

/**
 * The files of one multipart request, as the domain reads them, and the transport's side of failure.
 * Every failure of the body (malformed, truncated, the client silent or gone) becomes one 4xx error
 * that also reaches the domain, which then rolls back: the part it is reading fails with it, or the
 * next part it asks for. Every stream handed out has an error listener from the start, so a part
 * failing after the domain stopped reading it (a refused file) kills nothing. {@link settle} ends the
 * request's side: the unread rest of a refused body is read off, or the connection closed.
 */
export class MultipartFiles {
  private failure: (Error & { statusCode: number }) | undefined;
  private current: Readable | undefined;
  private readonly failed: Promise<never>;
  private rejectFailed!: (error: Error) => void;
  private readonly watch: StallWatch;

  constructor(
    private readonly request: FastifyRequest,
    private readonly options: MultipartFilesOptions,
  ) {
    this.failed = new Promise<never>((_resolve, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
    const raw = request.raw;
    this.watch = watchForStall({
      timeoutMs: options.idleTimeoutMs,
      progress: () => raw.socket?.bytesRead ?? 0,
      // Paused means backpressure: we are the slow one (storage), and that is not the client's idling.
      waiting: () => !raw.complete && !raw.isPaused(),
      onStall: () => {
        const seconds = Math.round(options.idleTimeoutMs / 100) / 10;
        this.fail(new RequestTimeoutError(`The upload sent nothing for ${seconds} s and was abandoned; nothing was stored.`));
      },
    });
  }

  /** The parts named {@link MultipartFilesOptions.fieldName}, one at a time as they stream in. */
  async *files(): AsyncGenerator<{ stream: Readable; filename: string }> {
    const parts = this.request.parts();
    let count = 0;
    for (;;) {
      const part = await this.nextPart(parts);
      if (!part) break;
      if (part.type !== 'file') {
        // Fields are not used, but one cut to the size limit means the body is not what the client meant.
        const field = part as MultipartValue;
        if (field.valueTruncated || field.fieldnameTruncated) {
          throw this.fail(new PayloadTooLargeError(`A form field is larger than ${this.options.limits.fieldSize} bytes.`));
        }
        continue;
      }
      const file = (part as MultipartFile).file;
      file.on('error', (error) => this.fail(error));
      // The parser may have failed this part before we got it (its error already emitted).
      if (file.errored) throw this.fail(file.errored);
      if (part.fieldname !== this.options.fieldName) {
        file.resume();
        continue;
      }
      count++;
      this.current = file;
      yield { stream: file, filename: (part as MultipartFile).filename };
      this.current = undefined;
      if (this.failure) throw this.failure;
    }
    if (count === 0) throw new BadRequestError(`The request has no file: send one or more parts named "${this.options.fieldName}".`);
  }

  /**
   * The error to answer with once the domain gave up. A 4xx of its own is its verdict on what it read
   * (a refused file) and stands. Anything else, after the body failed, is a consequence of that failure
   * (a store write whose source broke off): the body's 4xx is the answer.
   */
  explain(error: unknown): unknown {
    const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return error;
    if (this.current?.errored) this.fail(this.current.errored);
    return this.failure ?? error;
  }

  /**
   * Ends the request's side once the answer is decided: stops the idle watch; if the body was not read
   * to its end (a refusal, a failure), reads off and drops the rest, bounded, or closes the connection
   * after the answer when the client is silent or gone.
   */
  settle(reply: FastifyReply): void {
    this.watch.stop();
    const raw = this.request.raw;
    if (raw.complete) return;
    if (this.failure?.statusCode === 408 && !reply.sent) reply.header('connection', 'close');
    discardRequestBody(raw, { idleTimeoutMs: this.options.idleTimeoutMs, response: reply.raw });
  }

  private async nextPart(parts: AsyncIterator<Multipart>): Promise<Multipart | undefined> {
    if (this.failure) throw this.failure;
    const next = parts.next();
    // If the failure wins the race, the parser's own later rejection must not go unhandled.
    next.catch(() => undefined);
    try {
      const result = await Promise.race([next, this.failed]);
      return result.done ? undefined : result.value;
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** Records the first failure, and makes it reach the domain wherever it is waiting. */
  private fail(error: unknown): Error {
    if (this.failure) return this.failure;
    const failure = multipartFailure(error, this.options.limits);
    this.failure = failure;
    this.watch.stop();
    this.rejectFailed(failure);
    this.current?.destroy(failure);
    return failure;
  }
}
