const EXIF_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?(?:Z|[+-]\d{2}:\d{2})?$/;

/**
 * The wall-clock time of an EXIF capture time, as a Date whose UTC fields are the camera's local
 * fields. Most cameras record no offset, so the instant is often unknown, while "taken in August" means
 * the local calendar: the taken-at filter compares wall-clock times. Undefined when unparsable.
 */
export function wallClockOf(exifTime: string): Date | undefined {
  const match = EXIF_TIME.exec(exifTime);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '0').padEnd(3, '0'));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 2026-02-30 over into March and 25:00 into the next day: such times are not real.
  const real =
    date.getUTCDate() === day &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? date : undefined;
}

const FILTER_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?$/;

/** JSON Schema pattern of a taken-at filter bound: a local date or date-time, without offset. */
export const TAKEN_FILTER_PATTERN = FILTER_TIME.source;

/** A taken-at filter bound (`2026-08-01` or `2026-08-01T18:30`) as a wall-clock Date, or undefined when invalid. */
export function wallClockFilter(value: string): Date | undefined {
  if (!FILTER_TIME.test(value)) return undefined;
  const [date, time = '00:00'] = value.split('T') as [string, string?];
  return wallClockOf(`${date}T${time.length === 5 ? `${time}:00` : time}`);
}
