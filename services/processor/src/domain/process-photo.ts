import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventContext, PhotoProcessed, PhotoProcessingFailed, PhotoUploaded } from '@photos/contracts';
import { photoCatalogue } from '@photos/contracts';
import { ObjectNotFound, type ObjectStore } from '@photos/object-store';
import { readAll } from './read-all.js';
import { classifyImageError } from './image-errors.js';
import type { HeifDecoder } from './decode-image.js';
import { processImage, type ImageLimits } from './process-image.js';
import { VARIANT_SPECS, type VariantName } from './variant-specs.js';
import { variantsLayout } from './variants-layout.js';

export interface ProcessPhotoDeps {
  originals: ObjectStore;
  variants: ObjectStore;
  publish: (event: PhotoProcessed | PhotoProcessingFailed) => Promise<void>;
  limits: ImageLimits;
  now: () => Date;
  /** Decodes HEIF files sharp cannot (HEVC with sharp's prebuilt binaries); absent, they fail as unsupported. */
  heifDecoder?: HeifDecoder;
  /**
   * Where the image work (decode, resize, encode) waits for a free CPU slot; the original is read before,
   * storage writes and publishing after (see cpu-slots.ts). Absent: no limit beyond the caller's.
   */
  cpuSlots?: <T>(work: () => Promise<T>) => Promise<T>;
}

export type ProcessOutcome =
  | { kind: 'processed'; event: PhotoProcessed }
  | { kind: 'failed'; event: PhotoProcessingFailed }
  /** The photo was deleted before or while it was processed: no variants left, nothing published. */
  | { kind: 'deleted' };

const isDeleted = async (photoId: string, variants: ObjectStore) => (await variants.stat(variantsLayout.deletedMarker(photoId))) !== undefined;

/**
 * On `photo.deleted`: marks the photo deleted, then removes its variants. Idempotent. Events of a photo
 * may be handled out of order or at once (RabbitMQ), so a processing of the same photo may be under way:
 * it checks the mark after writing its variants. Either it sees the mark and removes them itself, or it
 * checked before the mark was written, hence wrote before this removal.
 */
export async function deletePhotoVariants(photoId: string, variants: ObjectStore): Promise<void> {
  await variants.put(variantsLayout.deletedMarker(photoId), Buffer.alloc(0), { contentType: 'application/octet-stream' });
  await variants.deletePrefix(variantsLayout.photoPrefix(photoId));
}

/**
 * Reading the original, waiting for a CPU slot, decoding and resizing it (sharp, the CPU-bound part) in a span of its own, inside the consumer span:
 * a trace shows how much of a photo's processing is the image work and how much storage and the broker.
 * A no-op when tracing is off.
 */
function imageSpan<T>(photoId: string, work: () => Promise<T>): Promise<T> {
  return trace.getTracer('processor').startActiveSpan('process image', { attributes: { 'photo.id': photoId } }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Turns one `photo.uploaded` into variants in the variants bucket and a `photo.processed`, or a
 * `photo.processing-failed` when the image itself is at fault (permanent: no retry). Storage or broker
 * trouble throws, so the bus retries. Variant keys derive from the photo id and the original's checksum:
 * handling the same event twice rewrites the same objects with the same bytes.
 */
export async function processPhoto(uploaded: PhotoUploaded, deps: ProcessPhotoDeps): Promise<ProcessOutcome> {
  const { photoId, ownerId, objectKey, sha256 } = uploaded.data;
  const context: EventContext = {
    source: '/services/processor',
    ...(uploaded.correlationid ? { correlationId: uploaded.correlationid } : {}),
    ...(uploaded.traceparent ? { traceparent: uploaded.traceparent } : {}),
  };
  const fail = async (code: string, reason: string): Promise<ProcessOutcome> => {
    const event = photoCatalogue.create('photo.processing-failed', photoId, { photoId, ownerId, code, reason, failedAt: deps.now().toISOString() }, context);
    await deps.publish(event);
    return { kind: 'failed', event };
  };

  if (await isDeleted(photoId, deps.variants)) return { kind: 'deleted' };
  let image: Awaited<ReturnType<typeof processImage>>;
  try {
    image = await imageSpan(photoId, async () => {
      const original = await readAll(await deps.originals.get(objectKey));
      const work = () => processImage(original, deps.limits, deps.heifDecoder);
      return deps.cpuSlots ? deps.cpuSlots(work) : work();
    });
  } catch (error) {
    if (error instanceof ObjectNotFound) return fail('original-missing', 'The original is gone (deleted before it could be processed).');
    const failure = classifyImageError(error);
    if (!failure) throw error;
    return fail(failure.code, failure.reason);
  }

  const stored = {} as Record<VariantName, { key: string; width: number; height: number; bytes: number; format: 'webp' | 'jpeg' }>;
  // In parallel: with as many workers as cores, a core waiting on storage is a core idle.
  await Promise.all(
    (Object.keys(VARIANT_SPECS) as VariantName[]).map(async (name) => {
      const variant = image.variants[name];
      const key = variantsLayout.variant(photoId, name, sha256);
      await deps.variants.put(key, variant.buffer, {
        contentType: variant.format === 'webp' ? 'image/webp' : 'image/jpeg',
        metadata: { 'photo-id': photoId },
      });
      stored[name] = { key, width: variant.width, height: variant.height, bytes: variant.bytes, format: variant.format };
    }),
  );
  if (await isDeleted(photoId, deps.variants)) {
    await deps.variants.deletePrefix(variantsLayout.photoPrefix(photoId));
    return { kind: 'deleted' };
  }
  const event = photoCatalogue.create(
    'photo.processed',
    photoId,
    {
      photoId,
      ownerId,
      width: image.width,
      height: image.height,
      variants: stored,
      placeholder: image.placeholder,
      dominantColor: image.dominantColor,
      exif: image.exif,
      processedAt: deps.now().toISOString(),
    },
    context,
  );
  await deps.publish(event);
  return { kind: 'processed', event };
}
