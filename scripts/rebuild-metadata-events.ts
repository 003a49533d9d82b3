/**
 * Rebuilds the metadata service's read model (its photo records) by replaying the events the platform
 * keeps: each committed upload's record in the originals bucket holds its `photo.uploaded` event, whole,
 * as first published (same id, same data). Publishing them again through the bus lets every consumer do
 * its normal work: metadata projects the photo (processing), the processor re-derives its variants (same
 * keys, same bytes: idempotent) and publishes `photo.processed` or `photo.processing-failed`, which
 * metadata projects to ready or failed with the same EXIF and variant keys.
 *
 * The boundary: nothing here reads the variants bucket or writes metadata's database; the originals
 * bucket is read through the upload service's own layout (`originalsLayout.record`), the one place its
 * keys are built, and only its records, which are the upload service's published events. A deleted photo
 * has no record (the upload service removes it on `photo.deleted`), so it is never announced again and
 * stays gone; the processor's deletion mark would stop its processing anyway.
 *
 * Idempotent (consumers dedupe by event id and natural keys; replaying twice changes nothing) and
 * resumable: the last key published is written to a checkpoint file after each batch; a run that was
 * interrupted goes on after it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import type { EventBus } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { originalsLayout } from '../services/upload/src/adapters/originals-layout.js';

export interface RebuildOptions {
  originals: ObjectStore;
  bus: EventBus;
  /** Where the last published key is kept between runs; absent: no resuming. */
  checkpointFile?: string;
  /** Events published before the checkpoint is written (default 200). */
  batchSize?: number;
  progress?: (line: string) => void;
}

export interface RebuildResult {
  /** Records found in the bucket. */
  records: number;
  /** Published by this run (records before the checkpoint were published by an earlier one). */
  published: number;
  /** Records that are not a valid photo.uploaded (reported, skipped). */
  skipped: string[];
}

const RECORDS_PREFIX = originalsLayout.record('x').slice(0, -'x.json'.length);

async function readEvent(store: ObjectStore, key: string): Promise<PhotoUploaded | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string };
  return typeof value.type === 'string' && value.type.startsWith('photo.uploaded.') ? (value as PhotoUploaded) : undefined;
}

/** Publishes every recorded `photo.uploaded` again, in key order, after the checkpoint if there is one. */
export async function republishRecordedUploads(options: RebuildOptions): Promise<RebuildResult> {
  const { originals, bus, checkpointFile, batchSize = 200, progress = () => undefined } = options;
  const keys = (await originals.list(RECORDS_PREFIX)).filter((key) => key.endsWith('.json'));
  const after = checkpointFile && existsSync(checkpointFile) ? readFileSync(checkpointFile, 'utf8').trim() : '';
  const todo = after ? keys.filter((key) => key > after) : keys;
  progress(`${keys.length} recorded uploads${after ? `, ${keys.length - todo.length} published by an earlier run` : ''}; publishing ${todo.length}`);
  const result: RebuildResult = { records: keys.length, published: 0, skipped: [] };
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    await Promise.all(
      batch.map(async (key) => {
        const event = await readEvent(originals, key).catch(() => undefined);
        // Records of older releases hold only the original's description, no event: reported, skipped.
        if (!event || !photoCatalogue.validate(event).ok) {
          result.skipped.push(key);
          return;
        }
        await bus.publish(event);
        result.published += 1;
      }),
    );
    if (checkpointFile) writeFileSync(checkpointFile, `${batch.at(-1)!}\n`);
    progress(`  ${start + batch.length}/${todo.length} published`);
  }
  // Done: the next run starts from the beginning again (it is harmless, and what a new loss needs).
  if (checkpointFile) rmSync(checkpointFile, { force: true });
  return result;
}
