import { Transform, type TransformCallback } from 'node:stream';
import type { AcceptedContentType } from './image-header.js';

/**
 * Counts the frames of an animated image as its bytes stream past, without decoding anything and without
 * holding more than a block header: GIF image descriptors, APNG frames (the larger of acTL's declared
 * count and the fcTL chunks), animated WebP ANMF chunks, and the samples of a HEIF image sequence's
 * tracks (moov: `pict` or `vide` handler, stsz count). The frames of a GIF or WebP follow its header and
 * may run to the end of the file, so the count is only final at the end: a walk over block headers,
 * skipping the pixel data by its declared length. Each format is a hand-written loop over the chunk, not
 * a parser per block: a hostile file made of the smallest blocks (a GIF of 1-byte sub-blocks) must cost
 * no more than hashing it. Where the structure stops making sense the count stops too (decoders stop
 * there as well); formats without frames (JPEG, TIFF) count none.
 */
export class FrameCounter {
  private readonly walker: Walker | undefined;
  /** The end of the previous chunk when a block header was cut there (a few bytes). */
  private carry: Buffer = EMPTY;
  /** Bytes pushed so far: the offset in the file of the next chunk. */
  private total = 0;

  constructor(contentType: AcceptedContentType) {
    const make = WALKERS[contentType];
    this.walker = make ? make() : undefined;
  }

  /** Frames seen so far. */
  get frames(): number {
    return this.walker?.frames ?? 0;
  }

  /** Feeds the next bytes of the file; answers the frames counted so far. */
  push(chunk: Buffer): number {
    const walker = this.walker;
    const offset = this.total;
    this.total += chunk.length;
    if (!walker || walker.done) return this.frames;
    let at = Math.min(walker.skip, chunk.length);
    walker.skip -= at;
    if (at === chunk.length) return walker.frames;
    let bytes = chunk;
    let base = offset;
    if (this.carry.length > 0) {
      bytes = Buffer.concat([this.carry, chunk.subarray(at)]);
      base = offset + at - this.carry.length;
      at = 0;
    }
    walker.base = base;
    const stop = walker.scan(bytes, at);
    this.carry = !walker.done && walker.skip === 0 && stop < bytes.length ? Buffer.from(bytes.subarray(stop)) : EMPTY;
    return walker.frames;
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

const EMPTY = Buffer.alloc(0);

/**
 * One format's walk. `scan` reads blocks from `at` and answers where it stopped: at the end of the
 * bytes, or where a block header is cut (the driver carries those bytes over to the next chunk); a block
 * running past the end sets `skip`, the bytes of the next chunks to pass over before scanning again.
 */
abstract class Walker {
  frames = 0;
  done = false;
  skip = 0;
  /** The offset in the file of `bytes[0]` of the current scan. */
  base = 0;

  abstract scan(bytes: Buffer, at: number): number;

  /** Moves past `length` bytes from `at`; past the end, the rest is left to `skip`. */
  protected pass(bytes: Buffer, at: number, length: number): number {
    const end = at + length;
    if (end <= bytes.length) return end;
    this.skip = end - bytes.length;
    return bytes.length;
  }

  /** The structure is not what the format says: stop counting where a decoder would stop decoding. */
  protected stop(bytes: Buffer): number {
    this.done = true;
    return bytes.length;
  }
}

/** A four-character code as the big-endian number a box or chunk header holds: compared without making a string. */
const fourcc = (code: string): number => Buffer.from(code, 'latin1').readUInt32BE(0);
const ACTL = fourcc('acTL');
const FCTL = fourcc('fcTL');
const IEND = fourcc('IEND');
const ANMF = fourcc('ANMF');
const HDLR = fourcc('hdlr');
const STSZ = fourcc('stsz');
const STZ2 = fourcc('stz2');
const TRAK = fourcc('trak');

function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 << ((packed & 0x07) + 1) : 0;
}

/** GIF (87a/89a): every image descriptor is a frame; extensions and pixel data are runs of sub-blocks. */
class GifWalker extends Walker {
  private state: 'screen' | 'block' | 'sub-blocks' = 'screen';

  scan(bytes: Buffer, start: number): number {
    let at = start;
    const end = bytes.length;
    while (this.skip === 0) {
      if (this.state === 'sub-blocks') {
        // The hot loop: each sub-block is a size byte and that many bytes of data, up to a zero size.
        while (at < end) {
          const size = bytes[at]!;
          if (size === 0) break;
          at += 1 + size;
        }
        if (at > end) this.skip = at - end;
        if (at >= end) return end;
        at += 1;
        this.state = 'block';
      } else if (this.state === 'screen') {
        if (at + 13 > end) return at; // signature, logical screen descriptor
        if (bytes.toString('latin1', at, at + 3) !== 'GIF') return this.stop(bytes);
        at = this.pass(bytes, at, 13 + colourTableBytes(bytes[at + 10]!));
        this.state = 'block';
      } else {
        if (at >= end) return at;
        const introducer = bytes[at]!;
        if (introducer === 0x21) {
          if (at + 2 > end) return at;
          at += 2; // introducer, extension label
        } else if (introducer === 0x2c) {
          if (at + 10 > end) return at;
          this.frames++;
          // introducer, left, top, width, height, packed fields; local colour table; LZW minimum code size
          at = this.pass(bytes, at, 10 + colourTableBytes(bytes[at + 9]!) + 1);
        } else return this.stop(bytes); // the trailer (0x3b), or not a GIF block: decoders stop here
        this.state = 'sub-blocks';
      }
    }
    return end;
  }
}

/** PNG: an APNG has as many frames as fcTL chunks; acTL declares the count up front (the larger is taken). */
class PngWalker extends Walker {
  private controls = 0;

  constructor() {
    super();
    this.skip = 8; // signature
  }

  scan(bytes: Buffer, start: number): number {
    let at = start;
    while (this.skip === 0) {
      if (at + 8 > bytes.length) return at;
      const length = bytes.readUInt32BE(at);
      const type = bytes.readUInt32BE(at + 4);
      if (length > 0x7fffffff) return this.stop(bytes);
      if (type === ACTL && length >= 8) {
        if (at + 12 > bytes.length) return at;
        this.frames = Math.max(this.frames, bytes.readUInt32BE(at + 8)); // num_frames
      } else if (type === FCTL) this.frames = Math.max(this.frames, ++this.controls);
      else if (type === IEND) return this.stop(bytes);
      at = this.pass(bytes, at, 12 + length); // length, type, data, CRC
    }
    return bytes.length;
  }
}

/** WebP (RIFF): an animated file has one ANMF chunk per frame. */
class WebpWalker extends Walker {
  /** The end of the RIFF chunk in the file, once read. */
  private end: number | undefined;

  scan(bytes: Buffer, start: number): number {
    let at = start;
    while (this.skip === 0) {
      if (this.end === undefined) {
        if (at + 12 > bytes.length) return at;
        if (bytes.toString('latin1', at, at + 4) !== 'RIFF' || bytes.toString('latin1', at + 8, at + 12) !== 'WEBP') return this.stop(bytes);
        this.end = this.base + at + 8 + bytes.readUInt32LE(at + 4);
        at += 12;
        continue;
      }
      if (this.base + at + 8 > this.end) return this.stop(bytes);
      if (at + 8 > bytes.length) return at;
      const size = bytes.readUInt32LE(at + 4);
      if (bytes.readUInt32BE(at) === ANMF) this.frames++;
      at = this.pass(bytes, at, 8 + size + (size & 1));
    }
    return bytes.length;
  }
}

/** Boxes walked into on the way to a track's handler and sample count. */
const TRACK_PATH = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl'].map(fourcc));
/** Track handlers whose samples are pictures: image sequences (`pict`) and video (`vide`). */
const PICTURE_HANDLERS = new Set(['pict', 'vide']);

interface OpenBox {
  /** Where the box ends in the file. */
  readonly end: number;
  /** Set on a trak: what its hdlr and stsz say. */
  readonly track?: { handler: string | undefined; samples: number };
}

/**
 * ISOBMFF (HEIF, AVIF): an image sequence (msf1, avis) has its frames as samples of a track in moov.
 * The still images of the meta box are counted from the header instead (heif-header.ts).
 */
class SequenceWalker extends Walker {
  /** The boxes walked into, innermost last. */
  private readonly open: OpenBox[] = [];

  scan(bytes: Buffer, start: number): number {
    let at = start;
    while (this.skip === 0) {
      if (at + 8 > bytes.length) return at;
      const position = this.base + at;
      const parent = this.open.at(-1);
      let size = bytes.readUInt32BE(at);
      const type = bytes.readUInt32BE(at + 4);
      let header = 8;
      if (size === 1) {
        if (at + 16 > bytes.length) return at;
        size = Number(bytes.readBigUInt64BE(at + 8));
        header = 16;
      } else if (size === 0) {
        if (!parent) return this.stop(bytes); // runs to the end of the file: nothing after it
        size = parent.end - position;
      }
      if (size < header || (parent && position + size > parent.end)) return this.stop(bytes);
      if (TRACK_PATH.has(type)) {
        this.open.push({ end: position + size, ...(type === TRAK ? { track: { handler: undefined, samples: 0 } } : {}) });
        at += header;
      } else {
        const track = type === HDLR || type === STSZ || type === STZ2 ? this.open.findLast((box) => box.track)?.track : undefined;
        if (track && size >= header + 12) {
          if (at + header + 12 > bytes.length) return at;
          // hdlr: version/flags, pre_defined, handler_type; stsz: version/flags, sample_size, sample_count
          if (type === HDLR) track.handler = bytes.toString('latin1', at + header + 8, at + header + 12);
          else track.samples = bytes.readUInt32BE(at + header + 8);
        }
        at = this.pass(bytes, at, size);
      }
      if (this.open.length > 0) this.close(this.base + at + this.skip);
    }
    return bytes.length;
  }

  /** Leaves the boxes that end at `position`, counting the samples of a picture track as it closes. */
  private close(position: number): void {
    for (let box = this.open.at(-1); box && position >= box.end; box = this.open.at(-1)) {
      this.open.pop();
      if (box.track?.handler && PICTURE_HANDLERS.has(box.track.handler)) this.frames += box.track.samples;
    }
  }
}

const WALKERS: Partial<Record<AcceptedContentType, () => Walker>> = {
  'image/gif': () => new GifWalker(),
  'image/png': () => new PngWalker(),
  'image/webp': () => new WebpWalker(),
  'image/heic': () => new SequenceWalker(),
  'image/heif': () => new SequenceWalker(),
  'image/avif': () => new SequenceWalker(),
};
