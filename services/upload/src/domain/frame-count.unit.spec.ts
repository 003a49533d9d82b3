/**
 * The frame limit on files made by real encoders (test-support/animations.ts: gifsicle, gif2webp, apngasm,
 * heif-enc, each file's count checked with an independent reader), and on the format corpus's animated
 * and still files: what the header check refuses from the bytes at hand, and what the meter refuses while
 * the rest streams.
 */
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCorpus } from '../../../../test/formats/format-corpus.js';
import { animations } from '../test-support/animations.js';
import { countFrames, FrameCounter, FrameLimitExceeded, FrameMeter } from './frame-count.js';
import { readImageHeader, type AcceptedContentType, type HeaderVerdict } from './image-header.js';

const made = animations();
afterAll(() => made.close());
// Made once: the encoders take seconds for a thousand frames on a busy machine.
const GIF_10000 = made.gif(10_000);
const WEBP_1001 = made.webp(1001);
const APNG_1001 = made.apng(1001);
const corpus = formatCorpus();
const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000, complete: true };
const judge = (bytes: Buffer, maxFrames = LIMITS.maxFrames): HeaderVerdict => readImageHeader(bytes, { ...LIMITS, maxFrames });

/** The counter fed `bytes` in pieces of `size`, as a request body arrives. */
function countInPieces(contentType: AcceptedContentType, bytes: Buffer, size: number): number {
  const counter = new FrameCounter(contentType);
  for (let at = 0; at < bytes.length; at += size) counter.push(bytes.subarray(at, at + size));
  return counter.frames;
}

describe('a 10,000-frame GIF', () => {
  const gif = GIF_10000;

  it('is refused by the header check, which counts its frames without decoding one', () => {
    expect(countFrames('image/gif', gif)).toBe(10_000);
    expect(judge(gif)).toEqual({ kind: 'too-many-frames', frames: 10_000 });
  });

  it('counts the same however the bytes are cut', () => {
    for (const size of [1, 7, 256, 4096]) expect(countInPieces('image/gif', gif, size)).toBe(10_000);
  });
});

describe('the limit, in every format that has frames', () => {
  const files: Array<[string, AcceptedContentType, Buffer]> = [
    ['GIF', 'image/gif', made.gif(12)],
    ['WebP', 'image/webp', made.webp(12)],
    ['APNG', 'image/png', made.apng(12)],
    ['HEIC of 12 images', 'image/heic', made.heic(12)],
  ];

  it.each(files)('takes a %s of exactly the limit and refuses it at one frame less', (_what, contentType, bytes) => {
    expect(judge(bytes, 12)).toMatchObject({ kind: 'image', contentType });
    expect(judge(bytes, 11)).toEqual({ kind: 'too-many-frames', frames: 12 });
  });

  it('counts the same however the bytes are cut, headers split across pieces included', () => {
    for (const [, contentType, bytes] of files.slice(0, 3)) {
      for (const size of [1, 3, 7, 13, 1000]) expect(countInPieces(contentType, bytes, size)).toBe(12);
    }
  });

  it('refuses an animated WebP and an APNG of 1,001 frames at the default of 1,000', () => {
    expect(judge(WEBP_1001)).toEqual({ kind: 'too-many-frames', frames: 1001 });
    expect(judge(APNG_1001)).toEqual({ kind: 'too-many-frames', frames: 1001 });
  });

  it('reads the count an APNG declares (acTL) before its first frame', () => {
    const apng = APNG_1001;
    const firstFrame = apng.indexOf('IDAT', 0, 'latin1');
    expect(judge(apng.subarray(0, firstFrame), 1000)).toEqual({ kind: 'too-many-frames', frames: 1001 });
  });
});

describe('files people upload', () => {
  it('counts the corpus animations as their manifest says, and takes them', () => {
    for (const file of ['gif-animated.gif', 'webp-animated.webp']) {
      const { frames } = corpus.entry(file);
      const bytes = readFileSync(corpus.path(file));
      expect(countFrames(file.endsWith('.gif') ? 'image/gif' : 'image/webp', bytes)).toBe(frames);
      expect(judge(bytes, frames)).toMatchObject({ kind: 'image' });
    }
  });

  it('takes still photos at a limit of one frame: an iPhone HEIC (a grid of tiles and a thumbnail) is one image', () => {
    for (const file of ['jpeg-orientation-1.jpg', 'png-alpha.png', 'image.tiff', 'heic-iphone-orientation-6.heic', 'heic-heif-enc.heic', 'image.avif']) {
      expect(judge(readFileSync(corpus.path(file)), 1)).toMatchObject({ kind: 'image' });
    }
  });

  it('counts each image of a HEIC of two, as heif-info lists them', () => {
    const bytes = readFileSync(corpus.path('heic-primary-second.heic'));
    expect(judge(bytes, 2)).toMatchObject({ kind: 'image' });
    expect(judge(bytes, 1)).toEqual({ kind: 'too-many-frames', frames: 2 });
  });
});

/** An ISOBMFF box: size, type, payload. */
const box = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
};
const u32s = (...values: number[]) => Buffer.concat(values.map((value) => Buffer.from([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255])));

/**
 * A track of `samples` pictures as ISO/IEC 14496-12 lays it out (moov/trak/mdia/hdlr + minf/stbl/stsz), the
 * part of an image sequence the counter reads. No Debian 12 tool writes HEIF sequences (libheif 1.15
 * predates them, gpac is not packaged), so this box is made here and put after a real HEIC.
 */
function sequenceTrack(handler: string, samples: number): Buffer {
  const hdlr = box('hdlr', u32s(0, 0), Buffer.from(handler, 'latin1'), u32s(0, 0, 0), Buffer.from([0]));
  const stsz = box('stsz', u32s(0, 0, samples), u32s(...Array.from({ length: samples }, () => 100)));
  return box('trak', box('tkhd', u32s(0, 0, 0, 1)), box('mdia', box('mdhd', u32s(0, 0, 0, 600, 0, 0)), hdlr, box('minf', box('stbl', stsz))));
}

describe('a HEIF image sequence', () => {
  const still = made.heic(1);

  it('counts the samples of its picture tracks (moov after the pixel data), however the bytes are cut', () => {
    const file = Buffer.concat([still, box('moov', box('mvhd', u32s(0, 0, 0, 600)), sequenceTrack('pict', 40), sequenceTrack('auxv', 40))]);
    expect(countFrames('image/heic', file)).toBe(40); // the alpha track (auxv) holds no pictures of its own
    expect(countInPieces('image/heic', file, 1)).toBe(40);
    expect(judge(file, 40)).toMatchObject({ kind: 'image', contentType: 'image/heic' });
    expect(judge(file, 39)).toEqual({ kind: 'too-many-frames', frames: 40 });
  });
});

describe('a GIF whose frames go on past the header', () => {
  // Noise compresses badly: about 40 KB a frame, so the first bytes hold a few frames and the rest follow.
  const gif = made.gif(60, { size: 200, noisy: true });

  it('passes the header check on its first bytes', () => {
    expect(judge(gif.subarray(0, 64 * 1024), 50)).toMatchObject({ kind: 'image', contentType: 'image/gif' });
  });

  it('is stopped by the meter while it streams, once the count passes the limit', async () => {
    let passed = 0;
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => ((passed += chunk.length), callback()) });
    const pieces = Array.from({ length: Math.ceil(gif.length / 65536) }, (_, i) => gif.subarray(i * 65536, (i + 1) * 65536));
    const error: unknown = await pipeline(Readable.from(pieces), new FrameMeter('image/gif', 50), sink).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FrameLimitExceeded);
    expect(error).toMatchObject({ frames: 51, maxFrames: 50 });
    expect(passed).toBeLessThan(gif.length);
  });

  it('passes through whole at the limit', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => (chunks.push(chunk), callback()) });
    await pipeline(Readable.from([gif]), new FrameMeter('image/gif', 60), sink);
    expect(Buffer.concat(chunks).equals(gif)).toBe(true);
  });
});

describe('broken structure', () => {
  it('stops counting where the structure stops making sense, as decoders stop decoding', () => {
    const gif = made.gif(4);
    const trailer = gif.length - 1;
    expect(gif[trailer]).toBe(0x3b);
    // Frames after the trailer, or after a byte that starts no block, are not frames of the GIF.
    const afterTrailer = Buffer.concat([gif, gif.subarray(13)]);
    expect(countFrames('image/gif', afterTrailer)).toBe(4);
    const badBlock = Buffer.concat([gif.subarray(0, trailer), Buffer.from([0x99]), gif.subarray(13)]);
    expect(countFrames('image/gif', badBlock)).toBe(4);
  });

  it('counts what is there in a file cut short', () => {
    const gif = GIF_10000;
    const half = countFrames('image/gif', gif.subarray(0, gif.length / 2));
    expect(half).toBeGreaterThan(4000);
    expect(half).toBeLessThan(6000);
  });
});
