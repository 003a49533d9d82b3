import { Readable } from 'node:stream';
import { readImageHeader, type HeaderVerdict } from './image-header.js';

/**
 * Reads just enough of a file stream to judge its header (at most `maxPrefixBytes`), then gives back a
 * stream of the whole file, prefix included, that still honours backpressure. Nothing is written
 * anywhere before the verdict, so a refused file leaves no trace.
 */
export async function judgeHeader(
  source: Readable,
  options: { maxPixels: number; maxFrames: number; maxPrefixBytes: number },
): Promise<{ verdict: Exclude<HeaderVerdict, { kind: 'need-more' }>; body: Readable; sampledBytes: number }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let verdict: HeaderVerdict = { kind: 'need-more' };
  let ended = false;
  while (verdict.kind === 'need-more') {
    const next = await iterator.next();
    if (next.done) ended = true;
    else {
      chunks.push(next.value);
      length += next.value.length;
    }
    const complete = ended || length >= options.maxPrefixBytes;
    verdict = readImageHeader(Buffer.concat(chunks, length), { maxPixels: options.maxPixels, maxFrames: options.maxFrames, complete });
    if (verdict.kind === 'need-more' && complete) verdict = { kind: 'unsupported', detected: undefined };
  }
  const judged = verdict as Exclude<HeaderVerdict, { kind: 'need-more' }>;
  const prefix = Buffer.concat(chunks, length);
  const body = Readable.from(
    (async function* () {
      if (prefix.length > 0) yield prefix;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  // A refused file's body is drained and forgotten (resume()); if its source then fails (the request
  // breaks off), an 'error' nobody listens to would kill the process. A consumer still sees the error
  // through its own listener (pipeline), and the request's failure reaches the route by the request.
  body.on('error', () => undefined);
  return { verdict: judged, body, sampledBytes: length };
}
