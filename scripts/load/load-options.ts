/** The command line of `npm run load`: what to load, how hard and for how long. */
import { parseArgs } from 'node:util';

export interface LoadOptions {
  /** The deployment's public URL (the BFF); undefined: the script starts the embedded platform itself. */
  url: string | undefined;
  users: number;
  durationMs: number;
  /** Mean pause between two steps of one user (each pause is 0.5x to 1.5x of it). */
  thinkMs: number;
  /** Folder of JPEG / WebP photos to upload; undefined: the sample photos (or generated ones). */
  photos: string | undefined;
  /** Gallery pages (50 photos each) walked per browse. */
  pages: number;
  /** Share of iterations that end by deleting one of the user's photos, 0..1. */
  deleteRatio: number;
  /** How long an upload may take to be processed before it counts as an error. */
  processingTimeoutMs: number;
  help: boolean;
}

export const USAGE = `npm run load -- [--url http://host:port] [--users 5] [--duration 60s] [--think-ms 1000]
                [--photos DIR] [--pages 2] [--delete-ratio 0.25] [--processing-timeout 120s]

  --url           the deployment's public URL (the BFF). Without it, the embedded platform (npm start) is
                  started on a free port with a fresh data folder, and stopped at the end.
  --users         virtual users, each registered, logged in, then looping: upload, wait until processed
                  (its event stream), browse the gallery, open a photo (detail, original, thumbnail,
                  preview), sometimes delete one; a think time between steps.
  --duration      how long users start new steps: 90, 90s, 2m, 1500ms.
  --think-ms      mean pause between two steps of one user (0.5x to 1.5x of it).
  --photos        a folder of .jpg/.jpeg/.webp files to upload (default: the sample photos).`;

/** `90`, `90s`, `2m`, `1500ms` as milliseconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (e.g. 90, 90s, 2m, 1500ms)`);
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Math.round(value * unit);
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      users: { type: 'string', default: '5' },
      duration: { type: 'string', default: '60s' },
      'think-ms': { type: 'string', default: '1000' },
      photos: { type: 'string' },
      pages: { type: 'string', default: '2' },
      'delete-ratio': { type: 'string', default: '0.25' },
      'processing-timeout': { type: 'string', default: '120s' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  let url: string | undefined;
  if (values.url !== undefined) {
    const parsed = new URL(values.url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url must be http(s), got ${values.url}`);
    url = parsed.origin + parsed.pathname.replace(/\/+$/, '');
  }
  const deleteRatio = Number(values['delete-ratio']);
  if (!(deleteRatio >= 0 && deleteRatio <= 1)) throw new Error(`--delete-ratio must be from 0 to 1, got "${values['delete-ratio']}"`);
  const durationMs = parseDuration(values.duration);
  if (durationMs <= 0) throw new Error('--duration must be more than 0');
  return {
    url,
    users: integer('users', values.users, 1),
    durationMs,
    thinkMs: integer('think-ms', values['think-ms'], 0),
    photos: values.photos,
    pages: integer('pages', values.pages, 1),
    deleteRatio,
    processingTimeoutMs: parseDuration(values['processing-timeout']),
    help: values.help,
  };
}
