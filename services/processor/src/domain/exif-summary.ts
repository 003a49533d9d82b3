import exifReader from 'exif-reader';

/** A position in decimal degrees (south and west negative), altitude in metres above sea level. */
export interface GpsPosition {
  readonly latitude: number;
  readonly longitude: number;
  readonly altitude?: number;
}

/**
 * The EXIF fields the platform shows, shaped like `exif` in `photo.processed.v1`. Absent fields are
 * left out, never present as `undefined`.
 */
export interface ExifSummary {
  /** The camera's wall-clock time, `YYYY-MM-DDTHH:mm:ss[.fff][±HH:MM]`; the offset only when recorded. */
  readonly takenAt?: string;
  readonly cameraMake?: string;
  readonly cameraModel?: string;
  readonly lens?: string;
  /** Seconds. */
  readonly exposureTime?: number;
  readonly fNumber?: number;
  readonly iso?: number;
  /** Millimetres. */
  readonly focalLength?: number;
  /** EXIF orientation, 1-8. */
  readonly orientation?: number;
  readonly gps?: GpsPosition;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Tags = Readonly<Record<string, unknown>>;

const MAX_TEXT = 200;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * Reads the summary from a raw EXIF block (sharp's `metadata().exif`). Never throws: EXIF is written by
 * every kind of software and often broken, so whatever can be read is returned and the rest is left out.
 */
export function summarizeExif(exif: Buffer | undefined): ExifSummary {
  if (!exif || exif.length === 0) return {};
  let parsed: ReturnType<typeof exifReader>;
  try {
    parsed = exifReader(exif);
  } catch {
    return {};
  }
  const image: Tags = parsed.Image ?? {};
  const photo: Tags = parsed.Photo ?? {};
  const summary: Mutable<ExifSummary> = {};
  const set = <K extends keyof ExifSummary>(key: K, value: ExifSummary[K] | undefined): void => {
    if (value !== undefined) summary[key] = value;
  };
  const read = <T>(extract: () => T | undefined): T | undefined => {
    try {
      return extract();
    } catch {
      return undefined;
    }
  };
  set(
    'takenAt',
    read(() => takenAt(photo)),
  );
  set(
    'cameraMake',
    read(() => text(image['Make'])),
  );
  set(
    'cameraModel',
    read(() => text(image['Model'])),
  );
  set(
    'lens',
    read(() => text(photo['LensModel'])),
  );
  set(
    'exposureTime',
    read(() => positive(photo['ExposureTime'])),
  );
  set(
    'fNumber',
    read(() => positive(photo['FNumber'])),
  );
  set(
    'iso',
    read(() => positive(first(photo['ISOSpeedRatings']))),
  );
  set(
    'focalLength',
    read(() => positive(photo['FocalLength'])),
  );
  set(
    'orientation',
    read(() => orientation(image['Orientation'])),
  );
  set(
    'gps',
    read(() => gps(parsed.GPSInfo ?? {})),
  );
  return summary;
}

/**
 * exif-reader turns `YYYY:MM:DD HH:mm:ss` into a Date as if it were UTC, though EXIF stores the camera's
 * local time with no zone: the UTC fields of that Date are the wall clock, which is what we keep.
 */
function takenAt(photo: Tags): string | undefined {
  const date = photo['DateTimeOriginal'];
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return undefined;
  // An all-zero date ("0000:00:00 00:00:00", written by cameras whose clock was never set) comes out
  // as 1899; no real photo predates 1900.
  if (date.getUTCFullYear() < 1900) return undefined;
  const wallClock = date.toISOString().slice(0, 19);
  const subSecond = text(photo['SubSecTimeOriginal']);
  const fraction = subSecond && /^\d{1,9}$/.test(subSecond) ? `.${subSecond}` : '';
  const offset = text(photo['OffsetTimeOriginal']);
  return `${wallClock}${fraction}${offset && OFFSET.test(offset) ? offset : ''}`;
}

/**
 * Cleans an EXIF string: text ends at the first NUL (EXIF strings are C strings and the bytes after it are
 * padding or junk), control characters go, whitespace is trimmed, length capped without splitting a pair.
 */
function text(value: unknown): string | undefined {
  // exif-reader hands back non-ASCII strings as raw bytes; modern writers use UTF-8.
  const raw = Buffer.isBuffer(value) ? new TextDecoder('utf-8').decode(value) : value;
  if (typeof raw !== 'string') return undefined;
  const nul = raw.indexOf('\0');
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = (nul === -1 ? raw : raw.slice(0, nul)).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean === '') return undefined;
  const capped = clean.slice(0, MAX_TEXT);
  return /[\ud800-\udbff]$/.test(capped) ? capped.slice(0, -1) : capped;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Zero means "unknown" in EXIF (e.g. FNumber 0 for a manual lens); rationals with a zero denominator give Infinity or NaN. */
function positive(value: unknown): number | undefined {
  const number = finite(value);
  return number !== undefined && number > 0 ? number : undefined;
}

function orientation(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 8 ? (value as number) : undefined;
}

function gps(info: Tags): GpsPosition | undefined {
  const latitude = degrees(info['GPSLatitude'], info['GPSLatitudeRef'], 'S', 90);
  const longitude = degrees(info['GPSLongitude'], info['GPSLongitudeRef'], 'W', 180);
  if (latitude === undefined || longitude === undefined) return undefined;
  const height = finite(info['GPSAltitude']);
  if (height === undefined) return { latitude, longitude };
  const belowSeaLevel = first(info['GPSAltitudeRef']) === 1;
  return { latitude, longitude, altitude: round(belowSeaLevel ? -height : height, 2) };
}

/** Degrees, minutes, seconds (or fewer parts, as some writers do) to signed decimal degrees. */
function degrees(value: unknown, ref: unknown, negativeRef: 'S' | 'W', limit: number): number | undefined {
  const parts = Array.isArray(value) ? value : [value];
  if (parts.length === 0 || parts.length > 3) return undefined;
  let total = 0;
  for (const [index, part] of parts.entries()) {
    const number = finite(part);
    if (number === undefined || number < 0) return undefined;
    total += number / 60 ** index;
  }
  if (total > limit) return undefined;
  const negative = (text(ref) ?? '').toUpperCase().startsWith(negativeRef);
  // Seven decimals is about a centimetre: more is float noise from the rationals.
  return round(negative ? -total : total, 7);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor + 0;
}
