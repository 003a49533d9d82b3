import type { PhotoUploaded } from '@photos/contracts';
import { rollBackUpload } from './roll-back-upload.js';
import type { StagedOriginal } from './store-original.js';
import type { StoredOriginal } from './stored-original.js';
import type { UploadStorage } from './upload-storage.js';

export type UploadedPhoto = StoredOriginal & { duplicate: boolean };

/** An event this request committed, and the outbox entry to remove once the broker has it. */
export interface CommittedEvent {
  event: PhotoUploaded;
  entryKey: string;
}

/** How one staged file ended: the photo to answer with, and the event to publish if this request committed it. */
interface Settled {
  photo: UploadedPhoto;
  committed?: CommittedEvent;
}

// Enough for a claim released and re-taken by others a few times while we look; more means a bug.
const MAX_CLAIM_ROUNDS = 5;

/**
 * Commits the staged files of one request, all of them or (on a storage error) as many as it can: the
 * rest are rolled back and the request fails, and a retry finds the committed ones as duplicates.
 * Photos whose claim this request holds are committed first (their record: its outbox entry is there
 * since staging, so a 2xx always means the event will be published); then files whose bytes another
 * photo had claimed are settled against it. Returns the photos in request order and the events committed.
 */
export async function commitUpload(staged: StagedOriginal[], storage: UploadStorage): Promise<{ photos: UploadedPhoto[]; committed: CommittedEvent[] }> {
  const done = new Map<StagedOriginal, Settled>();
  const settleAll = async (files: StagedOriginal[], settle: (file: StagedOriginal) => Promise<Settled>) => {
    const results = await Promise.allSettled(files.map(async (file) => done.set(file, await settle(file))));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    // Claimed ones first: a second copy of the same bytes in this request then finds its twin committed.
    await settleAll(
      staged.filter((file) => file.claimed),
      (file) => commitClaimed(file, storage),
    );
    await settleAll(
      staged.filter((file) => !file.claimed),
      (file) => settleAgainstClaim(file, storage),
    );
  } catch (error) {
    await abandonStaged(
      staged.filter((file) => !done.has(file)),
      storage,
    );
    throw error;
  }
  const settled = staged.map((file) => done.get(file)!);
  return { photos: settled.map(({ photo }) => photo), committed: settled.flatMap(({ committed }) => (committed ? [committed] : [])) };
}

/**
 * Removes what staged files left (none of them committed by this request): each claimed one is rolled
 * back unless someone committed it meanwhile; the others lose their own original and entry. Best
 * effort: the caller is failing anyway, and the sweep finishes what a failing store leaves.
 */
export async function abandonStaged(staged: StagedOriginal[], storage: UploadStorage): Promise<void> {
  await Promise.allSettled(
    staged.map(async (file) => {
      const { photoId, ownerId } = file.record;
      if (file.claimed) await rollBackUpload(storage, { photoId, ownerId, entryKey: file.entryKey, content: file.content });
      else await dropOwnCopy(file, storage);
    }),
  );
}

async function commitClaimed(file: StagedOriginal, storage: UploadStorage): Promise<Settled> {
  await storage.writeRecord(file.event);
  return { photo: { ...file.record, duplicate: false }, committed: { event: file.event, entryKey: file.entryKey } };
}

async function dropOwnCopy(file: StagedOriginal, storage: UploadStorage): Promise<void> {
  await storage.deleteOriginal(file.record.photoId);
  await storage.removeEntry(file.entryKey);
}

/**
 * A file whose bytes another photo had claimed: the answer is that photo. If its upload is not
 * committed (the request that staged it died, failed, or is still running), this request commits it
 * from the event in the claim, writing the record its own request would write; that upload's entry
 * is still in the outbox, and the relay's sweep publishes it. If the claim is gone meanwhile, this file
 * takes it and is committed as a new photo.
 */
async function settleAgainstClaim(file: StagedOriginal, storage: UploadStorage): Promise<Settled> {
  for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
    const claim = await storage.readClaim(file.content);
    if (!claim) {
      // Claimed (pessimistically, before trying) so that a failure from here on rolls the claim back too.
      file.claimed = true;
      if (await storage.takeClaim(file.content, file.event)) return commitClaimed(file, storage);
      file.claimed = false;
      continue;
    }
    const { photoId } = claim;
    let settled: Settled | undefined;
    const record = await storage.readRecord(photoId);
    if (record) settled = { photo: { ...record.original, duplicate: true } };
    else if (claim.event && (await storage.hasOriginal(photoId))) {
      await storage.writeRecord(claim.event);
      settled = { photo: { ...(claim.event.data as StoredOriginal), duplicate: true } };
    }
    if (!settled) {
      // A claim naming a photo that is gone (or, from an older release, never committed) cannot be
      // completed: free it, unless it changed hands meanwhile, then take it.
      if ((await storage.readClaim(file.content))?.photoId === photoId) await storage.deleteClaim(file.content);
      continue;
    }
    // Settled: our own copy is surplus, and the sweep removes it (from its entry) if this fails.
    await dropOwnCopy(file, storage).catch(() => undefined);
    return settled;
  }
  throw new Error(`the dedupe claim of ${file.record.photoId}'s bytes changed hands ${MAX_CLAIM_ROUNDS} times while this upload looked at it`);
}
