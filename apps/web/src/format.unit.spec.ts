import { rgbaToThumbHash } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import {
  cameraName,
  exposureSummary,
  formatBytes,
  formatCoordinates,
  formatDimensions,
  formatExposureTime,
  formatTakenAt,
  gpsOf,
  openStreetMapUrl,
  tileAspectRatio,
} from './format';
import { placeholderDataUrl } from './placeholder';
import { ApiError, problemFrom } from './problem';
import { csrfFromCookies } from './session';
import { photoIdFromPath } from './use-route';

describe('format', () => {
  it('formats byte counts in binary multiples', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('formats dimensions with megapixels', () => {
    expect(formatDimensions(4032, 3024)).toBe('4032 × 3024 (12.2 MP)');
    expect(formatDimensions(640, 480)).toBe('640 × 480');
    expect(formatDimensions(null, 480)).toBe('—');
  });

  it('shows the capture time as the camera wall clock, whatever the offset', () => {
    expect(formatTakenAt('2021-05-01T14:30:00+02:00', 'en-GB')).toBe('1 May 2021, 14:30');
    expect(formatTakenAt('2021-05-01T14:30:00', 'en-GB')).toBe('1 May 2021, 14:30');
    expect(formatTakenAt('2021-05-01T14:30:00-07:00', 'en-GB')).toBe('1 May 2021, 14:30');
    expect(formatTakenAt(null)).toBe('—');
    expect(formatTakenAt('yesterday')).toBe('yesterday');
  });

  it('formats exposure times as photographers write them', () => {
    expect(formatExposureTime(0.004)).toBe('1/250 s');
    expect(formatExposureTime(1 / 3)).toBe('1/3 s');
    expect(formatExposureTime(2)).toBe('2 s');
    expect(formatExposureTime(1.3)).toBe('1.3 s');
    expect(formatExposureTime(undefined)).toBeUndefined();
    expect(formatExposureTime(0)).toBeUndefined();
  });

  it('summarises the EXIF camera and exposure', () => {
    expect(cameraName({ cameraMake: 'Canon', cameraModel: 'Canon EOS R5' })).toBe('Canon EOS R5');
    expect(cameraName({ cameraMake: 'FUJIFILM', cameraModel: 'X-T4' })).toBe('FUJIFILM X-T4');
    expect(cameraName({ cameraModel: 'Pixel 7' })).toBe('Pixel 7');
    expect(cameraName({})).toBeUndefined();
    expect(exposureSummary({ exposureTime: 0.004, fNumber: 2.8, iso: 200, focalLength: 35 })).toBe('1/250 s · f/2.8 · ISO 200 · 35 mm');
    expect(exposureSummary({ fNumber: 1.8 })).toBe('f/1.8');
    expect(exposureSummary({})).toBeUndefined();
  });

  it('links GPS positions to OpenStreetMap', () => {
    const gps = { latitude: 48.8584, longitude: -2.2945 };
    expect(formatCoordinates(gps)).toBe('48.85840° N, 2.29450° W');
    expect(openStreetMapUrl(gps)).toBe('https://www.openstreetmap.org/?mlat=48.858400&mlon=-2.294500#map=15/48.858400/-2.294500');
    expect(gpsOf({ gps })).toEqual(gps);
    expect(gpsOf({ gps: { latitude: 100, longitude: 0 } })).toBeUndefined();
    expect(gpsOf({})).toBeUndefined();
  });

  it('draws tiles at the aspect ratio of the thumbnail, clamped', () => {
    expect(tileAspectRatio({ width: 4000, height: 3000, variants: {} })).toBeCloseTo(4 / 3);
    expect(tileAspectRatio({ width: 4000, height: 3000, variants: { thumb: { url: 'x', width: 300, height: 400 } } })).toBeCloseTo(0.75);
    expect(tileAspectRatio({ width: 10000, height: 1000, variants: {} })).toBe(2);
    expect(tileAspectRatio({ width: null, height: null, variants: {} })).toBe(1);
  });
});

describe('placeholder', () => {
  it('decodes a base64 ThumbHash into a PNG data URL, and tolerates junk', () => {
    const rgba = Array.from({ length: 8 * 6 }, (_, i) => [(i % 8) * 32, Math.floor(i / 8) * 40, 128, 255]).flat();
    const hash = btoa(String.fromCharCode(...rgbaToThumbHash(8, 6, rgba)));
    const url = placeholderDataUrl(hash);
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(placeholderDataUrl(hash)).toBe(url);
    expect(placeholderDataUrl('%%%')).toBeNull();
    expect(placeholderDataUrl(null)).toBeNull();
  });
});

describe('problem details', () => {
  it("shows the server's detail, else a message for the status", () => {
    const body = JSON.stringify({ type: 'about:blank', title: 'Unsupported Media Type', status: 415, detail: 'notes.txt is not a supported image type.' });
    expect(problemFrom(415, body, 'application/problem+json').detail).toBe('notes.txt is not a supported image type.');
    expect(new ApiError(413, problemFrom(413, '<html>too big</html>', 'text/html')).message).toBe('The file is too large.');
    expect(problemFrom(502, '', null).detail).toMatch(/server/);
    expect(problemFrom(400, '{"title":"Bad Request"}', 'application/json').detail).toBe('Bad Request');
  });
});

describe('session and routes', () => {
  it('reads the CSRF token from the cookies, with or without the __Host- prefix, and nothing else', () => {
    expect(csrfFromCookies('a=1; __Host-photos-csrf=abc-_123; b=2')).toBe('abc-_123');
    expect(csrfFromCookies('photos-csrf=plain')).toBe('plain');
    expect(csrfFromCookies('x-photos-csrf=no; other=1')).toBeNull();
    expect(csrfFromCookies('')).toBeNull();
  });

  it('finds the open photo in the path', () => {
    expect(photoIdFromPath('/photos/0b7e1f3c-7d2a-4c1e-9f0a-1234567890ab')).toBe('0b7e1f3c-7d2a-4c1e-9f0a-1234567890ab');
    expect(photoIdFromPath('/')).toBeNull();
    expect(photoIdFromPath('/photos/../../etc')).toBeNull();
  });
});
