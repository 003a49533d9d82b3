/**
 * The format corpus: one file per format people upload (iPhone HEIC, AVIF, JPEG in its variants, PNG,
 * animated GIF and WebP, TIFF), made by the real encoders (libheif with x265 and aom, ImageMagick,
 * libwebp's img2webp, exiftool) from a real photograph, with a manifest of what each file must come out
 * as: displayed size, EXIF fields, and colours at known places. Every expectation is derived from how the
 * file was made and checked against an independent reader (ImageMagick, heif-info, exiftool) before it
 * is recorded, so a wrong expectation fails here, not in the code under test.
 *
 * Made once into `.cache/format-corpus/<hash of this generator>/`; `npx tsx test/formats/format-corpus.ts`
 * (re)makes it and prints the folder. It is the one generator of test images made by encoders: the e2e
 * and browser tests upload its files, and the services' own specs (HEIF decoding, the upload header
 * check) read them, through `formatCorpus()`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Rgb = readonly [number, number, number];

/** A colour the file shows at a place (fractions of the displayed width and height). */
export interface ColourProbe {
  readonly x: number;
  readonly y: number;
  /** sRGB, as a colour-managed viewer shows it. */
  readonly srgb: Rgb;
  /** Largest difference per channel still counted as that colour (lossy encoders move colours a little). */
  readonly tolerance: number;
  /** What a pipeline that ignores the file's ICC profile shows instead (colour-managed files only; CMYK: the naive formula). */
  readonly ifProfileIgnored?: Rgb;
  /** Only the JPEG preview is flattened onto white; the WebP thumb keeps transparency there. */
  readonly previewOnly?: boolean;
}

export interface CorpusEntry {
  readonly file: string;
  readonly description: string;
  /** HEIC with HEVC inside: needs a decoder sharp's prebuilt libvips lacks. */
  readonly hevc: boolean;
  /** Displayed size, after EXIF orientation or HEIF irot. */
  readonly width: number;
  readonly height: number;
  /** Size of the pixels as stored, before EXIF orientation or irot (HEIF: the primary image's ispe), as a header reader reports it. */
  readonly stored: { readonly width: number; readonly height: number };
  /** EXIF fields the file carries, in the API's shape (`exif` of a photo). */
  readonly exif: {
    readonly takenAt?: string;
    readonly cameraMake?: string;
    readonly cameraModel?: string;
    readonly orientation?: number;
    readonly gps?: { readonly latitude: number; readonly longitude: number; readonly altitude?: number };
  };
  readonly colours: readonly ColourProbe[];
  /** Bottom-right quarter transparent. */
  readonly alpha?: boolean;
  readonly frames?: number;
  /** Files of several images: a PNG of the one that comes first but is not the primary. */
  readonly notPrimary?: string;
}

export interface FormatCorpus {
  readonly dir: string;
  readonly entries: readonly CorpusEntry[];
  /** The upright scene (PNG) every file whose colours are the two markers displays. */
  readonly scene: string;
  /** The path of an entry's file (or a file it names), throwing when the corpus has none of that name. */
  path(file: string): string;
  /** An entry by file name, throwing when the corpus has none. */
  entry(file: string): CorpusEntry;
}

const root = join(import.meta.dirname, '..', '..');
const ICC_DIR = '/usr/share/color/icc';
const W = 600;
const H = 400;
/** The stored size of files whose pixels are stored as shown (no orientation to apply). */
const AS_SHOWN = { width: W, height: H } as const;
const RED: Rgb = [230, 30, 30];
const BLUE: Rgb = [30, 30, 230];
/** The scene's markers: a red box in the top-left corner, a blue one in the bottom-right (centres at 10% and 90%). */
const MARKERS: readonly ColourProbe[] = [
  { x: 0.1, y: 0.1, srgb: RED, tolerance: 28 },
  { x: 0.9, y: 0.9, srgb: BLUE, tolerance: 28 },
];
/** Two flat patches for the colour-managed files, each in the sRGB gamut of the target spaces. */
const PATCHES: readonly Rgb[] = [
  [40, 190, 60],
  [200, 70, 50],
];
const CAMERA = { make: 'Apple', model: 'iPhone 15 Pro', takenAt: '2024-05-17T14:03:22+02:00', lat: 48.8584, lon: 2.2945, alt: 35 };
const CANON = { make: 'Canon', model: 'Canon EOS 400D DIGITAL', takenAt: '2008-04-20T19:12:06' };

/** The corpus, made on first use. */
export function formatCorpus(): FormatCorpus {
  const stamp = createHash('sha256')
    .update(readFileSync(import.meta.filename))
    .update(readFileSync(join(import.meta.dirname, 'heif-compose.c')))
    .digest('hex')
    .slice(0, 12);
  const parent = join(root, '.cache', 'format-corpus');
  const dir = join(parent, stamp);
  const manifest = join(dir, 'manifest.json');
  while (!existsSync(manifest)) {
    // Test files run in parallel processes: one makes the corpus, the others wait for it.
    if (!takeLock(`${dir}.lock`)) continue;
    try {
      if (!existsSync(manifest)) {
        // Made beside, then renamed: a run that stops half-way never leaves a corpus that looks complete.
        const work = `${dir}.${process.pid}.tmp`;
        rmSync(work, { recursive: true, force: true });
        mkdirSync(work, { recursive: true });
        try {
          writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(make(work), null, 2)}\n`);
        } catch (error) {
          rmSync(work, { recursive: true, force: true });
          throw error;
        }
        rmSync(dir, { recursive: true, force: true });
        renameSync(work, dir);
        // Corpora of older generators (another hash) are stale.
        for (const name of readdirSync(parent)) if (/^[0-9a-f]{12}$/.test(name) && name !== stamp) rmSync(join(parent, name), { recursive: true, force: true });
      }
    } finally {
      rmSync(`${dir}.lock`, { recursive: true, force: true });
    }
  }
  const entries = JSON.parse(readFileSync(manifest, 'utf8')) as CorpusEntry[];
  const path = (file: string) => {
    if (!existsSync(join(dir, file))) throw new Error(`format corpus: no ${file} in ${dir}`);
    return join(dir, file);
  };
  const entry = (file: string) => {
    const found = entries.find((candidate) => candidate.file === file);
    if (!found) throw new Error(`format corpus: no entry ${file}`);
    return found;
  };
  return { dir, entries, scene: path('scene.png'), path, entry };
}

/**
 * Takes the lock (a directory: mkdir is atomic) or waits half a second and says it did not. A lock older
 * than ten minutes was left by a process that died while making the corpus: it is broken.
 */
function takeLock(lock: string): boolean {
  mkdirSync(join(lock, '..'), { recursive: true });
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
  } catch {
    // released meanwhile
  }
  // Synchronous sleep: formatCorpus() is synchronous, called while test files load.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  return false;
}

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** ImageMagick's own binary: a stand-in `convert` may shadow it on PATH. */
function imageMagick(): string {
  for (const candidate of ['magick', '/usr/bin/convert-im6.q16', '/usr/bin/convert', 'convert']) {
    try {
      if (execFileSync(candidate, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('ImageMagick')) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error('ImageMagick not found (scripts/ensure-image-tools.sh installs it)');
}

/** A real photograph from Debian's wallpaper packages (scripts/sample-photos.sh, cached where the services' tests cache it). */
function samplePhoto(name: string): string {
  const dir = join(root, '.cache', 'sample-photos');
  if (!existsSync(join(dir, name))) execFileSync('bash', [join(root, 'scripts', 'sample-photos.sh'), dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(dir, name))) throw new Error(`format corpus: the sample photo ${name} is missing`);
  return join(dir, name);
}

function make(dir: string): CorpusEntry[] {
  execFileSync('bash', [join(root, 'scripts', 'ensure-image-tools.sh')], { stdio: 'inherit' });
  const im = imageMagick();
  const sh = (command: string, ...args: string[]) => run(command, args, dir);
  const magick = (...args: string[]) => sh(im, ...args);
  /**
   * The RGB values ImageMagick reads at (x, y): as stored, converted to sRGB through the embedded profile
   * (with black-point compensation, as libvips and browsers do for CMYK), or by the naive CMYK formula.
   */
  const pixel = (file: string, x: number, y: number, how: 'stored' | 'managed' | 'naive' = 'stored'): Rgb => {
    const at = `p{${Math.round(x * W)},${Math.round(y * H)}}`;
    const format = ['r', 'g', 'b'].map((c) => `%[fx:round(255*${at}.${c})]`).join(',');
    const convert = { stored: [], managed: ['-black-point-compensation', '-profile', `${ICC_DIR}/sRGB.icc`], naive: ['-colorspace', 'sRGB'] }[how];
    const out = magick(file, ...convert, '-format', format, 'info:');
    return out.split(',').map(Number) as unknown as Rgb;
  };
  const size = (file: string, autoOrient = false) =>
    magick(file + (file.endsWith('.gif') || file.endsWith('.webp') ? '[0]' : ''), ...(autoOrient ? ['-auto-orient'] : []), '-format', '%w %h', 'info:')
      .split(' ')
      .map(Number);
  const near = (a: Rgb, b: Rgb, tolerance: number) => a.every((value, i) => Math.abs(value - b[i]!) <= tolerance);
  const assert = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`format corpus: ${what}`);
  };
  const exifArgs = (camera: { make: string; model: string; takenAt: string }, gps: boolean) => {
    const [date, time] = camera.takenAt.slice(0, 19).split('T') as [string, string];
    const offset = camera.takenAt.slice(19);
    return [
      `-Make=${camera.make}`,
      `-Model=${camera.model}`,
      `-DateTimeOriginal=${date.replaceAll('-', ':')} ${time}`,
      ...(offset ? [`-OffsetTimeOriginal=${offset}`] : []),
      ...(gps
        ? [
            `-GPSLatitude=${CAMERA.lat}`,
            '-GPSLatitudeRef=N',
            `-GPSLongitude=${CAMERA.lon}`,
            '-GPSLongitudeRef=E',
            `-GPSAltitude=${CAMERA.alt}`,
            '-GPSAltitudeRef=0',
          ]
        : []),
    ];
  };
  const tag = (file: string, ...args: string[]) => sh('exiftool', '-q', '-overwrite_original', ...args, file);
  const readTags = (file: string): Record<string, unknown> => (JSON.parse(sh('exiftool', '-j', '-n', file)) as Record<string, unknown>[])[0]!;
  const apple = {
    cameraMake: CAMERA.make,
    cameraModel: CAMERA.model,
    takenAt: CAMERA.takenAt,
    gps: { latitude: CAMERA.lat, longitude: CAMERA.lon, altitude: CAMERA.alt },
  };
  const canon = { cameraMake: CANON.make, cameraModel: CANON.model, takenAt: CANON.takenAt };
  const checkTags = (file: string, expected: CorpusEntry['exif']) => {
    const tags = readTags(file);
    assert(tags['Make'] === expected.cameraMake && tags['Model'] === expected.cameraModel, `${file}: camera tags ${String(tags['Make'])}`);
    if (expected.gps) assert(Math.abs(Number(tags['GPSLatitude']) - expected.gps.latitude) < 1e-4, `${file}: GPS`);
    if (expected.orientation) assert(tags['Orientation'] === expected.orientation, `${file}: orientation ${String(tags['Orientation'])}`);
  };
  const entries: CorpusEntry[] = [];
  /** The primary image's ispe, as exiftool reads it: its coded size, before irot. */
  const heifCodedSize = (file: string) => String(readTags(file)['ImageSpatialExtent']).split(' ').map(Number);
  /**
   * Checks a file against its expectation before recording it: the stored size (exiftool for HEIF, else
   * ImageMagick), then the displayed size and colours with ImageMagick (auto-oriented).
   */
  const record = (entry: CorpusEntry, options: { verifyWith?: string } = {}) => {
    const file = options.verifyWith ?? entry.file;
    const [storedWidth, storedHeight] = /\.(heic|avif)$/.test(entry.file) ? heifCodedSize(entry.file) : size(file);
    const stored = `${entry.stored.width}x${entry.stored.height}`;
    assert(`${storedWidth}x${storedHeight}` === stored, `${entry.file}: stored ${storedWidth}x${storedHeight}, expected ${stored}`);
    const [width, height] = size(file, true);
    assert(width === entry.width && height === entry.height, `${entry.file}: ${width}x${height}, expected ${entry.width}x${entry.height}`);
    const oriented = `${file}.oriented.png`;
    magick(file + (entry.frames ? '[0]' : ''), '-auto-orient', oriented);
    for (const probe of entry.colours) {
      if (probe.previewOnly) continue;
      const seen = pixel(oriented, probe.x, probe.y);
      assert(near(seen, probe.srgb, probe.tolerance), `${entry.file}: ${seen.join(',')} at ${probe.x},${probe.y}, expected ${probe.srgb.join(',')}`);
    }
    rmSync(join(dir, oriented));
    if (Object.keys(entry.exif).length > 0) checkTags(entry.file, entry.exif);
    entries.push(entry);
  };

  // The scene: a real photograph (a Canon EOS 400D's) at 600x400 with the two markers.
  magick(
    samplePhoto('Storm.jpg'),
    '-resize',
    `${W}x${H}!`,
    '-strip',
    '-fill',
    `rgb(${RED.join(',')})`,
    '-draw',
    `rectangle 0,0 ${W * 0.2 - 1},${H * 0.2 - 1}`,
    '-fill',
    `rgb(${BLUE.join(',')})`,
    '-draw',
    `rectangle ${W * 0.8},${H * 0.8} ${W - 1},${H - 1}`,
    'PNG24:scene.png',
  );
  magick('-size', `${W}x${H}`, 'xc:rgb(20,160,20)', 'PNG24:green.png');
  magick('-size', `${W}x${H}`, 'xc:rgb(20,20,160)', 'PNG24:blue.png');
  magick('scene.png', '-quality', '90', 'scene.jpg');

  // JPEG, EXIF orientations 1-8: the stored pixels are the scene undone by each orientation, so every
  // file displays as the upright scene (red top left) and 5-8 store it as portrait.
  const undo: Record<number, string[]> = {
    1: [],
    2: ['-flop'],
    3: ['-rotate', '180'],
    4: ['-flip'],
    5: ['-transpose'],
    6: ['-rotate', '270'],
    7: ['-transverse'],
    8: ['-rotate', '90'],
  };
  for (let orientation = 1; orientation <= 8; orientation++) {
    const file = `jpeg-orientation-${orientation}.jpg`;
    magick('scene.png', ...undo[orientation]!, '-quality', '90', file);
    tag(file, `-Orientation#=${orientation}`, ...exifArgs(CANON, false));
    const stored = orientation >= 5 ? { width: H, height: W } : AS_SHOWN;
    record({
      file,
      description: `JPEG, EXIF orientation ${orientation}`,
      hevc: false,
      width: W,
      height: H,
      stored,
      exif: { ...canon, orientation },
      colours: MARKERS,
    });
  }

  magick('scene.png', '-interlace', 'JPEG', '-quality', '90', 'jpeg-progressive.jpg');
  tag('jpeg-progressive.jpg', ...exifArgs(CAMERA, true));
  assert(magick('jpeg-progressive.jpg', '-format', '%[interlace]', 'info:') === 'JPEG', 'progressive JPEG is not progressive');
  const progressive = { file: 'jpeg-progressive.jpg', description: 'progressive JPEG with EXIF and GPS', hevc: false };
  record({ ...progressive, width: W, height: H, stored: AS_SHOWN, exif: apple, colours: MARKERS });

  // Colour-managed: two flat patches converted from sRGB into the file's space (ImageMagick, LittleCMS).
  // Expected: the sRGB colour ImageMagick converts the file back to; ignoring the profile shows the stored numbers.
  const half = W / 2;
  magick(
    '-size',
    `${half}x${H}`,
    `xc:rgb(${PATCHES[0]!.join(',')})`,
    '-size',
    `${half}x${H}`,
    `xc:rgb(${PATCHES[1]!.join(',')})`,
    '+append',
    'PNG24:patches.png',
  );
  const profiles = writeLibvipsProfiles(dir);
  const managed = [
    { file: 'jpeg-adobe-rgb.jpg', icc: `${ICC_DIR}/compatibleWithAdobeRGB1998.icc`, description: 'JPEG in Adobe RGB (1998), ICC profile embedded' },
    { file: 'jpeg-display-p3.jpg', icc: profiles.p3, description: 'JPEG in Display P3, ICC profile embedded' },
    { file: 'jpeg-cmyk.jpg', icc: profiles.cmyk, description: 'CMYK JPEG, CMYK ICC profile embedded' },
  ];
  for (const { file, icc, description } of managed) {
    magick('patches.png', '-profile', `${ICC_DIR}/sRGB.icc`, '-profile', icc, '-quality', '95', file);
    const cmyk = file.includes('cmyk');
    assert(magick(file, '-format', '%[colorspace]', 'info:') === (cmyk ? 'CMYK' : 'sRGB'), `${file}: colour space`);
    // CMYK conversions differ more between colour engines (intents, black point): a wider tolerance,
    // still far narrower than the gap to the naive formula.
    const colours = [0.25, 0.75].map((x): ColourProbe => ({
      x,
      y: 0.5,
      srgb: pixel(file, x, 0.5, 'managed'),
      tolerance: cmyk ? 16 : 8,
      ifProfileIgnored: pixel(file, x, 0.5, cmyk ? 'naive' : 'stored'),
    }));
    // The point of these files: getting the profile wrong must show.
    assert(
      colours.some((c) => !near(c.srgb, c.ifProfileIgnored!, 3 * c.tolerance)),
      `${file}: profile makes no difference`,
    );
    assert(size(file).join('x') === `${W}x${H}`, `${file}: stored size`);
    entries.push({ file, description, hevc: false, width: W, height: H, stored: AS_SHOWN, exif: {}, colours });
  }

  magick('scene.png', '-depth', '16', 'PNG48:png-16bit.png');
  assert(magick('png-16bit.png', '-format', '%z', 'info:') === '16', '16-bit PNG is not 16-bit');
  record({ file: 'png-16bit.png', description: 'PNG, 16 bits per channel', hevc: false, width: W, height: H, stored: AS_SHOWN, exif: {}, colours: MARKERS });

  magick(
    'scene.png',
    '-alpha',
    'set',
    '(',
    '-size',
    `${half}x${H / 2}`,
    'xc:none',
    ')',
    '-geometry',
    `+${half}+${H / 2}`,
    '-compose',
    'Copy',
    '-composite',
    'PNG32:png-alpha.png',
  );
  assert(magick('png-alpha.png', '-format', `%[fx:p{${W * 0.9},${H * 0.9}}.a]`, 'info:') === '0', 'alpha');
  record({
    file: 'png-alpha.png',
    description: 'PNG with alpha, bottom-right quarter transparent',
    hevc: false,
    width: W,
    height: H,
    stored: AS_SHOWN,
    exif: {},
    alpha: true,
    colours: [MARKERS[0]!, { x: 0.9, y: 0.9, srgb: [255, 255, 255], tolerance: 8, previewOnly: true }],
  });

  magick('-delay', '20', 'scene.png', 'green.png', 'blue.png', '-loop', '0', 'gif-animated.gif');
  assert(magick('gif-animated.gif', '-format', '%n\n', 'info:').trim().split('\n')[0] === '3', 'GIF frames');
  const gif = { file: 'gif-animated.gif', description: 'animated GIF, 3 frames (the first is the scene)', hevc: false };
  record({ ...gif, width: W, height: H, stored: AS_SHOWN, exif: {}, colours: MARKERS, frames: 3 });

  sh('img2webp', '-loop', '0', '-lossy', '-q', '85', '-d', '200', 'scene.png', 'green.png', 'blue.png', '-o', 'webp-animated.webp');
  // ImageMagick 6 reads WebP animation frames unreliably: check the first frame with libwebp's own tools.
  assert(/Number of frames: 3/.test(sh('webpmux', '-info', 'webp-animated.webp')), 'animated WebP frames');
  sh('webpmux', '-get', 'frame', '1', 'webp-animated.webp', '-o', 'webp-frame-1.webp');
  sh('dwebp', 'webp-frame-1.webp', '-o', 'webp-animated.check.png');
  const webp = { file: 'webp-animated.webp', description: 'animated WebP (img2webp), 3 frames', hevc: false };
  record({ ...webp, width: W, height: H, stored: AS_SHOWN, exif: {}, colours: MARKERS, frames: 3 }, { verifyWith: 'webp-animated.check.png' });

  magick('scene.jpg', '-compress', 'lzw', 'image.tiff');
  tag('image.tiff', ...exifArgs(CANON, false));
  record({ file: 'image.tiff', description: 'TIFF (LZW)', hevc: false, width: W, height: H, stored: AS_SHOWN, exif: canon, colours: MARKERS });

  /** heif-convert's PNG of a HEIF file: the items as displayed, irot applied; the EXIF it copies dropped (HEIF readers ignore its orientation). */
  const heifDisplayed = (file: string, png: string) => {
    sh('heif-convert', file, png);
    for (const written of readdirSync(dir).filter((name) => name === png || (name.startsWith(png.replace(/\.png$/, '-')) && name.endsWith('.png')))) {
      magick(written, '-strip', written);
    }
  };

  // AVIF (aom) and a plain HEIC (x265) by heif-enc, which copies the EXIF of its JPEG input.
  magick('scene.png', '-quality', '92', 'heif-input.jpg');
  tag('heif-input.jpg', ...exifArgs(CAMERA, true));
  sh('heif-enc', '-q', '70', '-A', 'heif-input.jpg', '-o', 'image.avif');
  sh('heif-enc', '-q', '70', 'heif-input.jpg', '-o', 'heic-heif-enc.heic');
  for (const [file, brand] of [
    ['image.avif', 'avif'],
    ['heic-heif-enc.heic', 'heic'],
  ] as const) {
    const info = sh('heif-info', file);
    assert(info.includes(`main brand: ${brand}`) && info.includes(`image: ${W}x${H} (id=1), primary`), `${file}: ${info}`);
    heifDisplayed(file, `${file}.png`);
    const entry = { file, description: `${brand.toUpperCase()} by heif-enc, EXIF with date, camera and GPS`, hevc: brand === 'heic', width: W, height: H };
    record({ ...entry, stored: AS_SHOWN, exif: apple, colours: MARKERS }, { verifyWith: `${file}.png` });
  }

  // What heif-enc 1.15 cannot write, by heif-compose (libheif's encoder API, as heif-enc drives it, with x265
  // or aom): each checked by exiftool (irot, ispe, EXIF) and decoded by heif-convert (irot applied).
  const compose = join(dir, 'heif-compose');
  sh('cc', '-O2', '-o', compose, join(import.meta.dirname, 'heif-compose.c'), ...sh('pkg-config', '--cflags', '--libs', 'libheif').trim().split(/\s+/));
  writeFileSync(join(dir, 'exif-apple.tiff'), execFileSync('exiftool', ['-exif', '-b', 'heif-input.jpg'], { cwd: dir }));
  tag('heif-input.jpg', '-Orientation#=6');
  writeFileSync(join(dir, 'exif-orientation-6.tiff'), execFileSync('exiftool', ['-exif', '-b', 'heif-input.jpg'], { cwd: dir }));
  magick('scene.png', '-depth', '8', 'scene.ppm');
  magick('scene.png', '-rotate', '270', '-depth', '8', 'stored-portrait.ppm');
  for (const [brand, codec] of [
    ['heic', []],
    ['avif', ['-a']],
  ] as const) {
    // Portrait pixels turned upright by irot, with EXIF Orientation 6 saying the same: as iPhones write HEIC.
    const turned = brand === 'heic' ? 'heic-iphone-orientation-6.heic' : 'avif-irot-orientation-6.avif';
    sh(compose, turned, ...codec, '-q', '70', '-o', '6', '-e', 'exif-orientation-6.tiff', 'stored-portrait.ppm');
    const tags = readTags(turned);
    assert(tags['Rotation'] === 270, `${turned}: irot box missing`);
    // ispe is the coded size, before irot, as iPhones write it (heif-compose corrects libheif < 1.16 there).
    assert(tags['ImageSpatialExtent'] === `${H} ${W}`, `${turned}: ispe ${String(tags['ImageSpatialExtent'])}, expected the coded ${H}x${W}`);
    heifDisplayed(turned, `${turned}.png`);
    record(
      {
        file: turned,
        description: `${brand.toUpperCase()} turned by irot 270 + EXIF Orientation 6, as iPhones write HEIC (stored ${H}x${W}), EXIF and GPS`,
        hevc: brand === 'heic',
        width: W,
        height: H,
        stored: { width: H, height: W },
        exif: { ...apple, orientation: 6 },
        colours: MARKERS,
      },
      { verifyWith: `${turned}.png` },
    );

    // Upright pixels, no irot, an EXIF Orientation 6 all the same: HEIF readers show the items as their
    // boxes say and ignore the tag (applying it would turn the photo on its side).
    const tagged = `${brand}-exif-orientation-6-no-irot.${brand}`;
    sh(compose, tagged, ...codec, '-q', '70', '-e', 'exif-orientation-6.tiff', 'scene.ppm');
    assert(readTags(tagged)['Rotation'] === undefined, `${tagged}: has an irot box`);
    heifDisplayed(tagged, `${tagged}.png`);
    record(
      {
        file: tagged,
        description: `${brand.toUpperCase()} with EXIF Orientation 6 but no irot: shown as stored, the tag reported only`,
        hevc: brand === 'heic',
        width: W,
        height: H,
        stored: AS_SHOWN,
        exif: { ...apple, orientation: 6 },
        colours: MARKERS,
      },
      { verifyWith: `${tagged}.png` },
    );
  }

  // Several images, the primary (with the EXIF) second: a reader taking the first shows a green decoy.
  magick('-size', '320x480', 'xc:rgb(20,160,20)', 'PNG24:decoy.png');
  magick('decoy.png', '-depth', '8', 'decoy.ppm');
  sh(compose, 'heic-primary-second.heic', '-q', '70', '-p', '2', '-e', 'exif-apple.tiff', 'decoy.ppm', 'scene.ppm');
  const info = sh('heif-info', 'heic-primary-second.heic');
  assert(/image: 320x480 \(id=1\)\n/.test(info) && info.includes(`image: ${W}x${H} (id=2), primary`), `primary is not the second image: ${info}`);
  // heif-convert writes every top-level image, in file order: -1 the decoy, -2 the primary.
  heifDisplayed('heic-primary-second.heic', 'heic-primary.png');
  assert(size('heic-primary-1.png').join('x') === '320x480', 'the decoy is not first');
  record(
    {
      file: 'heic-primary-second.heic',
      description: 'HEIC with two images, the primary second with EXIF (the first is a green 320x480 decoy)',
      hevc: true,
      width: W,
      height: H,
      stored: AS_SHOWN,
      exif: apple,
      colours: MARKERS,
      notPrimary: 'decoy.png',
    },
    { verifyWith: 'heic-primary-2.png' },
  );
  return entries;
}

/** The Display P3 and CMYK profiles libvips ships, written out for ImageMagick to convert with. */
function writeLibvipsProfiles(dir: string): { p3: string; cmyk: string } {
  const script = `
    const sharp = require('sharp');
    const icc = async (image) => (await sharp(await image.toBuffer()).metadata()).icc;
    (async () => {
      const base = () => sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } });
      const p3 = await icc(base().withIccProfile('p3').png());
      const cmyk = await icc(base().toColourspace('cmyk').withIccProfile('cmyk').jpeg());
      require('fs').writeFileSync(${JSON.stringify(join(dir, 'display-p3.icc'))}, p3);
      require('fs').writeFileSync(${JSON.stringify(join(dir, 'cmyk.icc'))}, cmyk);
    })();`;
  // Synchronously, in a child: the generator is synchronous (a module-level cache, called from tests' setup).
  execFileSync(process.execPath, ['-e', script], { cwd: root, stdio: 'inherit' });
  return { p3: join(dir, 'display-p3.icc'), cmyk: join(dir, 'cmyk.icc') };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const corpus = formatCorpus();
  for (const entry of corpus.entries) console.log(`${entry.file.padEnd(38)} ${entry.width}x${entry.height}  ${entry.description}`);
  console.log(corpus.dir);
}
