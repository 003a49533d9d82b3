import type { PhotoUploaded } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import type { PendingEvents } from './pending-events.js';
import { PhotoClaims } from './photo-claim.js';
import { rollBackUpload } from './roll-back-upload.js';
import type { StagedOriginal } from './store-original.js';
import { putJson, readJson } from './stored-json.js';
import type { StoredOriginal } from './stored-original.js';

export type UploadedPhoto = StoredOriginal & { duplicate: boolean };

/** How one staged file ended: the photo to answer with, and the event to publish if this commit wrote one. */
interface Settled {
  photo: UploadedPhoto;
  event?: PhotoUploaded;
}

export interface CommitDeps {
  originals: ObjectStore;
  pending: PendingEvents;
}

// Enough for a claim released and re-taken by others a few times while we look; more means a bug.
const MAX_CLAIM_ROUNDS = 5;

/**
 * Commits the staged files of one request, all of them or (on a storage error) as many as it can: the
 * rest are rolled back and the request fails, and a retry finds the committed ones as duplicates.
 * Photos whose claim this request holds are committed first (outbox entry, then record, then the
 * intent goes), so that a 2xx always means the outbox holds the event; then files whose bytes another
 * photo had claimed are settled against it. Returns the photos in request order and the events written.
 */
export async function commitUpload(staged: StagedOriginal[], deps: CommitDeps): Promise<{ photos: UploadedPhoto[]; events: PhotoUploaded[] }> {
  const done = new Map<StagedOriginal, Settled>();
  const settleAll = async (files: StagedOriginal[], settle: (file: StagedOriginal) => Promise<Settled>) => {
    const results = await Promise.allSettled(files.map(async (file) => done.set(file, await settle(file))));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    // Claimed ones first: a second copy of the same bytes in this request then finds its twin committed.
    await settleAll(staged.filter((file) => file.claimed), (file) => commitClaimed(file, deps));
    await settleAll(staged.filter((file) => !file.claimed), (file) => settleAgainstClaim(file, deps));
  } catch (error) {
    await abandonStaged(staged.filter((file) => !done.has(file)), deps.originals);
    throw error;
  }
  const settled = staged.map((file) => done.get(file)!);
  const events = new Map(settled.flatMap(({ event }) => (event ? [[event.id, event] as const] : [])));
  return { photos: settled.map(({ photo }) => photo), events: [...events.values()] };
}

/**
 * Removes what staged files left (none of them committed by this request): each claimed one is rolled
 * back unless someone committed it meanwhile; the others lose their own original and intent. Best
 * effort: the caller is failing anyway, and the sweep finishes what a failing store leaves.
 */
export async function abandonStaged(staged: StagedOriginal[], originals: ObjectStore): Promise<void> {
  await Promise.allSettled(
    staged.map(async (file) => {
      const { photoId, ownerId } = file.record;
      if (file.claimed) await rollBackUpload(originals, { photoId, ownerId, intentKey: file.intentKey, claimKey: file.claimKey });
      else await dropOwnCopy(file, originals);
    }),
  );
}

async function commitClaimed(file: StagedOriginal, deps: CommitDeps): Promise<Settled> {
  await deps.pending.add(file.event);
  await putJson(deps.originals, bucketLayout.record(file.record.photoId), file.record);
  // Committed with the record: an intent left behind is removed by the sweep, no reason to fail the request.
  await deps.originals.delete(file.intentKey).catch(() => undefined);
  return { photo: { ...file.record, duplicate: false }, event: file.event };
}

async function dropOwnCopy(file: StagedOriginal, originals: ObjectStore): Promise<void> {
  await originals.delete(bucketLayout.original(file.record.photoId));
  await originals.delete(file.intentKey);
}

/**
 * A file whose bytes another photo had claimed: the answer is that photo. If its upload is not
 * committed (the request that staged it died, failed, or is still running), this request commits it
 * from the event in the claim, with the same keys and content its own request would write. If the
 * claim is gone meanwhile, this file takes it and is committed as a new photo.
 */
async function settleAgainstClaim(file: StagedOriginal, deps: CommitDeps): Promise<Settled> {
  const { originals, pending } = deps;
  const claims = new PhotoClaims(originals);
  for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
    const claim = await claims.read(file.claimKey);
    if (!claim) {
      // Claimed (pessimistically, before trying) so that a failure from here on rolls the claim back too.
      file.claimed = true;
      if (await claims.take(file.claimKey, file.event)) return commitClaimed(file, deps);
      file.claimed = false;
      continue;
    }
    const photoId = claim.photoId;
    let settled: Settled | undefined;
    if (!claim.event) {
      // Written by an older release, after the record: the record is the answer, if it is still there.
      const record = (await readJson(originals, bucketLayout.record(photoId))) as StoredOriginal | undefined;
      if (record) settled = { photo: { ...record, duplicate: true } };
    } else if (await originals.stat(bucketLayout.record(photoId))) {
      settled = { photo: { ...(claim.event.data as StoredOriginal), duplicate: true } };
    } else if (await originals.stat(bucketLayout.original(photoId))) {
      await pending.add(claim.event);
      await putJson(originals, bucketLayout.record(photoId), claim.event.data);
      settled = { photo: { ...(claim.event.data as StoredOriginal), duplicate: true }, event: claim.event };
    }
    if (!settled) {
      // A claim naming a photo that is gone cannot be completed: free it, then take it.
      await claims.release(file.claimKey, photoId);
      continue;
    }
    // Settled: our own copy is surplus, and the sweep removes it (from its intent) if this fails.
    await dropOwnCopy(file, originals).catch(() => undefined);
    return settled;
  }
  throw new Error(`the dedupe claim ${file.claimKey} changed hands ${MAX_CLAIM_ROUNDS} times while this upload looked at it`);
}
