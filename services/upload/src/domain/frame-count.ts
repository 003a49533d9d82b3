import { Transform, type TransformCallback } from 'node:stream';
import type { AcceptedContentType } from './image-header.js';

/**
 * Counts the frames of an animated image as its bytes stream past, without decoding anything and without
 * holding more than a block header: GIF image descriptors, APNG frames (the larger of acTL's declared
 * count and the fcTL chunks), animated WebP ANMF chunks, and the samples of a HEIF image sequence's
 * tracks (moov: `pict` or `vide` handler, stsz count). The frames of a GIF or WebP follow its header and
 * may run to the end of the file, so the count is only final at the end: a walk over block headers,
 * skipping the pixel data by its declared length, cheap next to the copy into the store. Where the
 * structure stops making sense the count stops too (decoders stop there as well); formats without
 * frames (JPEG, TIFF) count none.
 */
export class FrameCounter {
  private readonly tally = { frames: 0 };
  private readonly walk: Walk | undefined;
  /** What the walk waits for: bytes to skip, or bytes to read into `pending`. */
  private mode: 'skip' | 'read' | 'done' = 'done';
  private left = 0;
  private pending: Buffer = EMPTY;
  private filled = 0;

  constructor(contentType: AcceptedContentType) {
    const walker = WALKERS[contentType];
    this.walk = walker?.(this.tally);
    if (this.walk) this.resume(EMPTY);
  }

  /** Frames seen so far. */
  get frames(): number {
    return this.tally.frames;
  }

  /** Feeds the next bytes of the file; answers the frames counted so far. */
  push(chunk: Buffer): number {
    let at = 0;
    while (this.mode !== 'done' && at < chunk.length) {
      const available = chunk.length - at;
      if (this.mode === 'skip') {
        const taken = Math.min(this.left, available);
        at += taken;
        this.left -= taken;
        if (this.left === 0) this.resume(EMPTY);
      } else if (this.filled === 0 && available >= this.left) {
        // The common case: the whole field is in this chunk, no copy.
        const field = chunk.subarray(at, at + this.left);
        at += this.left;
        this.resume(field);
      } else {
        const taken = Math.min(this.left - this.filled, available);
        chunk.copy(this.pending, this.filled, at, at + taken);
        at += taken;
        this.filled += taken;
        if (this.filled === this.left) this.resume(this.pending);
      }
    }
    return this.tally.frames;
  }

  private resume(input: Buffer): void {
    let next = input;
    for (;;) {
      let result: IteratorResult<Step, void>;
      try {
        result = this.walk!.next(next);
      } catch (error) {
        if (!(error instanceof Malformed)) throw error;
        this.mode = 'done';
        return;
      }
      if (result.done) {
        this.mode = 'done';
        return;
      }
      const step = result.value;
      this.filled = 0;
      if ('skip' in step) {
        this.mode = 'skip';
        this.left = step.skip;
      } else {
        this.mode = 'read';
        this.left = step.read;
        this.pending = Buffer.allocUnsafe(step.read);
      }
      if (this.left > 0) return;
      next = EMPTY;
    }
  }
}

/** Counts the frames of a whole file (or of the part of it at hand). */
export function countFrames(contentType: AcceptedContentType, bytes: Buffer): number {
  return new FrameCounter(contentType).push(bytes);
}

/** Raised by FrameMeter when a file has more than `maxFrames` frames. */
export class FrameLimitExceeded extends Error {
  override readonly name = 'FrameLimitExceeded';
  constructor(
    readonly frames: number,
    readonly maxFrames: number,
  ) {
    super(`the file has more than ${maxFrames} frames`);
  }
}

/**
 * Passes bytes through while counting frames; fails the stream as soon as the count passes `maxFrames`,
 * so the file never completes in the store (as ByteMeter does for bytes).
 */
export class FrameMeter extends Transform {
  private readonly counter: FrameCounter;

  constructor(
    contentType: AcceptedContentType,
    private readonly maxFrames: number,
  ) {
    super();
    this.counter = new FrameCounter(contentType);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const frames = this.counter.push(chunk);
    if (frames > this.maxFrames) {
      callback(new FrameLimitExceeded(frames, this.maxFrames));
      return;
    }
    callback(null, chunk);
  }
}

type Step = { read: number } | { skip: number };
/** A walk over a file's structure: it asks for bytes to read (answered with them) or to skip. */
type Walk = Generator<Step, void, Buffer>;
interface Tally {
  frames: number;
}

const EMPTY = Buffer.alloc(0);

/** The structure is not what the format says: stop counting where a decoder would stop decoding. */
class Malformed extends Error {}

const WALKERS: Partial<Record<AcceptedContentType, (tally: Tally) => Walk>> = {
  'image/gif': gifFrames,
  'image/png': pngFrames,
  'image/webp': webpFrames,
  'image/heic': sequenceFrames,
  'image/heif': sequenceFrames,
  'image/avif': sequenceFrames,
};

/** GIF (87a/89a): every image descriptor is a frame; extensions and pixel data are runs of sub-blocks. */
function* gifFrames(tally: Tally): Walk {
  const screen = yield { read: 13 }; // signature, logical screen descriptor
  if (screen.toString('latin1', 0, 3) !== 'GIF') throw new Malformed();
  yield { skip: colourTableBytes(screen.readUInt8(10)) };
  for (;;) {
    const introducer = (yield { read: 1 }).readUInt8(0);
    if (introducer === 0x21) {
      yield { skip: 1 }; // extension label
      yield* subBlocks();
    } else if (introducer === 0x2c) {
      tally.frames++;
      const descriptor = yield { read: 9 }; // left, top, width, height, packed fields
      yield { skip: colourTableBytes(descriptor.readUInt8(8)) + 1 }; // local colour table, LZW minimum code size
      yield* subBlocks();
    } else return; // the trailer (0x3b), or not a GIF block: decoders stop here
  }
}

function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 << ((packed & 0x07) + 1) : 0;
}

function* subBlocks(): Walk {
  for (;;) {
    const size = (yield { read: 1 }).readUInt8(0);
    if (size === 0) return;
    yield { skip: size };
  }
}

/** PNG: an APNG has as many frames as fcTL chunks; acTL declares the count up front (the larger is taken). */
function* pngFrames(tally: Tally): Walk {
  yield { skip: 8 }; // signature
  let controls = 0;
  for (;;) {
    const header = yield { read: 8 };
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (length > 0x7fffffff) throw new Malformed();
    if (type === 'acTL' && length >= 8) {
      tally.frames = Math.max(tally.frames, (yield { read: 4 }).readUInt32BE(0));
      yield { skip: length - 4 + 4 }; // num_plays, CRC
      continue;
    }
    if (type === 'fcTL') tally.frames = Math.max(tally.frames, ++controls);
    if (type === 'IEND') return;
    yield { skip: length + 4 }; // data, CRC
  }
}

/** WebP (RIFF): an animated file has one ANMF chunk per frame. */
function* webpFrames(tally: Tally): Walk {
  const riff = yield { read: 12 };
  if (riff.toString('latin1', 0, 4) !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WEBP') throw new Malformed();
  let remaining = riff.readUInt32LE(4) - 4;
  while (remaining >= 8) {
    const header = yield { read: 8 };
    const size = header.readUInt32LE(4);
    const padded = size + (size & 1);
    if (header.toString('latin1', 0, 4) === 'ANMF') tally.frames++;
    yield { skip: padded };
    remaining -= 8 + padded;
  }
}

/** Boxes walked into on the way to a track's handler and sample count. */
const TRACK_PATH = new Set(['moov', 'mdia', 'minf', 'stbl']);
/** Track handlers whose samples are pictures: image sequences (`pict`) and video (`vide`). */
const PICTURE_HANDLERS = new Set(['pict', 'vide']);

/**
 * ISOBMFF (HEIF, AVIF): an image sequence (msf1, avis) has its frames as samples of a track in moov.
 * The still images of the meta box are counted from the header instead (heif-header.ts).
 */
function* sequenceFrames(tally: Tally): Walk {
  yield* boxes(Number.POSITIVE_INFINITY, tally, undefined);
}

interface Track {
  handler: string | undefined;
  samples: number;
}

function* boxes(length: number, tally: Tally, track: Track | undefined): Walk {
  const topLevel = length === Number.POSITIVE_INFINITY;
  let remaining = length;
  while (remaining >= 8) {
    const header = yield { read: 8 };
    let size = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number((yield { read: 8 }).readBigUInt64BE(0));
      headerSize = 16;
    } else if (size === 0) {
      if (topLevel) return; // runs to the end of the file: nothing after it
      size = remaining;
    }
    if (size < headerSize || size > remaining) throw new Malformed();
    const payload = size - headerSize;
    if (type === 'trak') {
      const inner: Track = { handler: undefined, samples: 0 };
      yield* boxes(payload, tally, inner);
      if (inner.handler && PICTURE_HANDLERS.has(inner.handler)) tally.frames += inner.samples;
    } else if (TRACK_PATH.has(type)) {
      yield* boxes(payload, tally, track);
    } else if (type === 'hdlr' && track && payload >= 12) {
      track.handler = (yield { read: 12 }).toString('latin1', 8, 12); // version/flags, pre_defined, handler_type
      yield { skip: payload - 12 };
    } else if ((type === 'stsz' || type === 'stz2') && track && payload >= 12) {
      track.samples = (yield { read: 12 }).readUInt32BE(8); // version/flags, sample_size (stz2: field size), sample_count
      yield { skip: payload - 12 };
    } else {
      yield { skip: payload };
    }
    remaining -= size;
  }
  if (!topLevel && remaining > 0) yield { skip: remaining };
}
