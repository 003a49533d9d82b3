import type { Exif, Photo } from './types';

/** 1536 -> "1.5 KB" (binary multiples, as file managers show them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

/** 4032 x 3024 -> "4032 × 3024 (12.2 MP)". */
export function formatDimensions(width: number | null | undefined, height: number | null | undefined): string {
  if (!width || !height) return '—';
  const megapixels = (width * height) / 1_000_000;
  return megapixels >= 1 ? `${width} × ${height} (${megapixels.toFixed(1)} MP)` : `${width} × ${height}`;
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * An EXIF capture time as the camera's wall clock ("2021-05-01T14:30:00+02:00" -> "1 May 2021, 14:30"):
 * where the photo was taken matters more than the viewer's time zone.
 */
export function formatTakenAt(value: string | null | undefined, locale?: string): string {
  if (!value) return '—';
  const match = WALL_CLOCK.exec(value);
  if (!match) return value;
  const [, y, mo, d, h, mi, s] = match;
  const utc = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  if (Number.isNaN(utc.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(utc);
}

/** An instant (upload time) in the viewer's own time zone. */
export function formatInstant(value: string | null | undefined, locale?: string): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** 0.004 -> "1/250 s", 0.5 -> "1/2 s", 2 -> "2 s", 1.3 -> "1.3 s". */
export function formatExposureTime(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !(seconds > 0)) return undefined;
  if (seconds >= 1) return `${Number(seconds.toFixed(1))} s`;
  const denominator = Math.round(1 / seconds);
  return `1/${denominator} s`;
}

/** Camera make and model, without repeating the make ("Canon" + "Canon EOS R5" -> "Canon EOS R5"). */
export function cameraName(exif: Exif | null | undefined): string | undefined {
  const make = exif?.cameraMake?.trim();
  const model = exif?.cameraModel?.trim();
  if (make && model) return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return model || make || undefined;
}

/** "1/250 s · f/2.8 · ISO 200 · 35 mm", from whichever parts the EXIF has. */
export function exposureSummary(exif: Exif | null | undefined): string | undefined {
  if (!exif) return undefined;
  const parts = [
    formatExposureTime(exif.exposureTime),
    exif.fNumber ? `f/${Number(exif.fNumber.toFixed(1))}` : undefined,
    exif.iso ? `ISO ${Math.round(exif.iso)}` : undefined,
    exif.focalLength ? `${Number(exif.focalLength.toFixed(1))} mm` : undefined,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** 48.8584, 2.2945 -> "48.85840° N, 2.29450° E". */
export function formatCoordinates(gps: { latitude: number; longitude: number }): string {
  const lat = `${Math.abs(gps.latitude).toFixed(5)}° ${gps.latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(gps.longitude).toFixed(5)}° ${gps.longitude >= 0 ? 'E' : 'W'}`;
  return `${lat}, ${lon}`;
}

/** A link to the spot on OpenStreetMap, with a marker. */
export function openStreetMapUrl(gps: { latitude: number; longitude: number }, zoom = 15): string {
  const lat = gps.latitude.toFixed(6);
  const lon = gps.longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=${zoom}/${lat}/${lon}`;
}

/** Valid GPS coordinates from EXIF, or undefined. */
export function gpsOf(exif: Exif | null | undefined): { latitude: number; longitude: number; altitude?: number } | undefined {
  const gps = exif?.gps;
  if (!gps || typeof gps.latitude !== 'number' || typeof gps.longitude !== 'number') return undefined;
  if (Math.abs(gps.latitude) > 90 || Math.abs(gps.longitude) > 180) return undefined;
  return gps;
}

/**
 * The ratio (width / height) a tile is drawn at, clamped so a panorama or a sliver stays a usable tile.
 * Unknown dimensions draw a square.
 */
export function tileAspectRatio(photo: Pick<Photo, 'width' | 'height' | 'variants'>): number {
  const width = photo.variants.thumb?.width ?? photo.width;
  const height = photo.variants.thumb?.height ?? photo.height;
  if (!width || !height) return 1;
  return Math.min(2, Math.max(0.5, width / height));
}
