import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { summarizeExif, type ExifSummary } from './exif-summary.js';
import { samplePhoto } from './test-support/sample-photos.js';

async function exifOf(image: Buffer): Promise<Buffer | undefined> {
  return (await sharp(image).metadata()).exif;
}

async function sampleExif(name: string): Promise<Buffer | undefined> {
  return exifOf(readFileSync(samplePhoto(name)));
}

/** An IFD entry: BYTE (1), ASCII (2) from text or bytes, SHORT (3), LONG (4) or RATIONAL (5, as numerator/denominator pairs). */
type Entry = { tag: number; type: 2; value: string | Buffer } | { tag: number; type: 1 | 3 | 4 | 5; value: number[] };

function entryData(entry: Entry): Buffer {
  if (entry.type === 2) return Buffer.concat([Buffer.from(entry.value), Buffer.alloc(1)]);
  const size = entry.type === 1 ? 1 : entry.type === 3 ? 2 : 4;
  const data = Buffer.alloc(entry.value.length * size);
  entry.value.forEach((number, index) => data.writeUIntLE(number, index * size, size));
  return data;
}

/**
 * A little-endian TIFF/EXIF block, laid out as IFD0, the Exif IFD, the GPS IFD, each followed by its
 * out-of-line values: enough to write the broken values sharp refuses to (BYTE tags, zero denominators).
 */
function tiff(ifd0: Entry[], exifIfd: Entry[] = [], gpsIfd: Entry[] = []): Buffer {
  const groups = [[...ifd0], exifIfd, gpsIfd];
  groups[0]!.push({ tag: 0x8769, type: 4, value: [0] }, { tag: 0x8825, type: 4, value: [0] });
  const sizes = groups.map((entries) => 6 + entries.length * 12 + entries.reduce((sum, e) => sum + (entryData(e).length > 4 ? entryData(e).length + 1 : 0), 0));
  const starts = [8, 8 + sizes[0]!, 8 + sizes[0]! + sizes[1]!];
  groups[0]![groups[0]!.length - 2]!.value = [starts[1]!];
  groups[0]![groups[0]!.length - 1]!.value = [starts[2]!];
  const out = Buffer.alloc(starts[2]! + sizes[2]!);
  out.write('II', 0, 'ascii');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  groups.forEach((entries, group) => {
    let at = starts[group]!;
    let extra = at + 6 + entries.length * 12;
    out.writeUInt16LE(entries.length, at);
    at += 2;
    for (const entry of entries) {
      const data = entryData(entry);
      const count = entry.type === 2 ? data.length : entry.type === 5 ? entry.value.length / 2 : entry.value.length;
      out.writeUInt16LE(entry.tag, at);
      out.writeUInt16LE(entry.type, at + 2);
      out.writeUInt32LE(count, at + 4);
      if (data.length <= 4) data.copy(out, at + 8);
      else {
        out.writeUInt32LE(extra, at + 8);
        data.copy(out, extra);
        extra += data.length + 1;
      }
      at += 12;
    }
  });
  return out;
}

function expectNoUndefined(summary: ExifSummary): void {
  for (const [key, value] of Object.entries(summary)) expect(value, key).not.toBeUndefined();
  if (summary.gps) for (const [key, value] of Object.entries(summary.gps)) expect(value, `gps.${key}`).not.toBeUndefined();
}

describe('summarizeExif', () => {
  it('reads a camera photo', async () => {
    expect(summarizeExif(await sampleExif('Storm.jpg'))).toEqual({
      takenAt: '2008-04-20T19:12:06',
      cameraMake: 'Canon',
      cameraModel: 'Canon EOS 400D DIGITAL',
      exposureTime: 0.4,
      fNumber: 3.5,
      iso: 100,
      focalLength: 18,
      orientation: 1,
    });
  });

  it('trims padded strings and leaves out values EXIF uses for "unknown"', async () => {
    const wood = summarizeExif(await sampleExif('Wood.jpg'));
    expect(wood).toMatchObject({ cameraMake: 'KONICA MINOLTA', cameraModel: 'DiMAGE Z5', takenAt: '2008-04-19T13:43:16' });
    const dune = summarizeExif(await sampleExif('Dune.jpg'));
    expect(dune).not.toHaveProperty('fNumber'); // the camera wrote 0
    expectNoUndefined(dune);
  });

  it('gives nothing for a photo without EXIF or with an empty block', async () => {
    expect(await sampleExif('Elephants.jpg')).toBeUndefined();
    expect(summarizeExif(undefined)).toEqual({});
    const empty = await sampleExif('Aqua.jpg');
    expect(empty).toBeDefined();
    expect(summarizeExif(empty)).toEqual({});
  });

  it('reads what sharp writes: local time with offset, lens, and a south-west position', async () => {
    const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'TestCam ', Model: 'T-1' },
        IFD2: {
          DateTimeOriginal: '2024:05:06 07:08:09',
          SubSecTimeOriginal: '042',
          OffsetTimeOriginal: '-03:30',
          ExposureTime: '1/250',
          FNumber: '28/10',
          ISOSpeedRatings: '200',
          FocalLength: '50/1',
          LensModel: '  50mm F1.8  ',
        },
        IFD3: {
          GPSLatitudeRef: 'S',
          GPSLatitude: '33/1 52/1 1200/100',
          GPSLongitudeRef: 'W',
          GPSLongitude: '151/1 12/1 3000/100',
          GPSAltitude: '58/1',
        },
      })
      .toBuffer();
    const summary = summarizeExif(await exifOf(photo));
    expect(summary).toEqual({
      takenAt: '2024-05-06T07:08:09.042-03:30',
      cameraMake: 'TestCam',
      cameraModel: 'T-1',
      lens: '50mm F1.8',
      exposureTime: 0.004,
      fNumber: 2.8,
      iso: 200,
      focalLength: 50,
      orientation: 1,
      gps: { latitude: -33.87, longitude: -151.2083333, altitude: 58 },
    });
  });

  it('keeps the wall-clock time whatever the time zone of the process', () => {
    const block = tiff([], [{ tag: 0x9003, type: 2, value: '2023:12:31 23:59:58' }]);
    const zone = process.env['TZ'];
    try {
      for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
        process.env['TZ'] = tz;
        expect(summarizeExif(block).takenAt, tz).toBe('2023-12-31T23:59:58');
      }
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
  });

  it('reads altitude below sea level, UTF-8 text, and caps long text', () => {
    const summary = summarizeExif(
      tiff(
        [
          { tag: 0x010f, type: 2, value: Buffer.concat([Buffer.from('Škoda Optics'), Buffer.from([0, 0x41, 0x42])]) },
          { tag: 0x0110, type: 2, value: 'M'.repeat(300) },
        ],
        [],
        [
          { tag: 0x0001, type: 2, value: 'N' },
          { tag: 0x0002, type: 5, value: [31, 1, 30, 1, 0, 1] },
          { tag: 0x0003, type: 2, value: 'E' },
          { tag: 0x0004, type: 5, value: [35, 1, 28, 1, 48, 1] },
          { tag: 0x0005, type: 1, value: [1] }, // below sea level
          { tag: 0x0006, type: 5, value: [4305, 10] },
        ],
      ),
    );
    expect(summary).toEqual({
      cameraMake: 'Škoda Optics',
      cameraModel: 'M'.repeat(200),
      gps: { latitude: 31.5, longitude: 35.48, altitude: -430.5 },
    });
  });

  it('leaves out what is broken and keeps the rest', () => {
    const summary = summarizeExif(
      tiff(
        [
          { tag: 0x010f, type: 2, value: ' \0\0\0 ' },
          { tag: 0x0110, type: 2, value: 'Good Model' },
          { tag: 0x0112, type: 3, value: [9] },
        ],
        [
          { tag: 0x9003, type: 2, value: '0000:00:00 00:00:00' },
          { tag: 0x829d, type: 5, value: [0, 0] },
          { tag: 0x829a, type: 5, value: [1, 0] },
          { tag: 0x9011, type: 2, value: 'local' },
        ],
        [
          { tag: 0x0001, type: 2, value: 'N' },
          { tag: 0x0002, type: 5, value: [95, 1, 0, 1, 0, 1] },
          { tag: 0x0003, type: 2, value: 'E' },
          { tag: 0x0004, type: 5, value: [10, 1, 0, 1, 0, 1] },
        ],
      ),
    );
    expect(summary).toEqual({ cameraModel: 'Good Model' });
  });

  it('never throws, whatever the bytes', async () => {
    const real = (await sampleExif('Storm.jpg'))!;
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const inputs = [
      Buffer.from('Exif\0\0'),
      Buffer.from('Exif\0\0II*\0\xff\xff\xff\x7f', 'latin1'),
      Buffer.from('not exif at all'),
      ...Array.from({ length: 40 }, (_, index) => real.subarray(0, Math.floor((real.length * index) / 40))),
      ...Array.from({ length: 200 }, () => {
        const copy = Buffer.from(real);
        for (let flips = 0; flips < 20; flips++) copy[Math.floor(random() * 400)] = Math.floor(random() * 256);
        return copy;
      }),
    ];
    for (const input of inputs) {
      const summary = summarizeExif(input);
      expectNoUndefined(summary);
      for (const value of [summary.cameraMake, summary.cameraModel, summary.lens]) if (value !== undefined) expect(value.length).toBeLessThanOrEqual(200);
    }
  });
});
