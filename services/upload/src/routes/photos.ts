import { UploadAnswerSchema } from '@photos/api-contracts';
import { type ServiceApp, UnsupportedMediaTypeError } from '@photos/service-kit';
import type { OriginalsDeps } from '../domain/store-original.js';
import { uploadPhotos, type CommittedEvent, type UploadedPhoto } from '../domain/upload-photos.js';
import type { MultipartLimits } from './multipart-failures.js';
import { MultipartFiles } from './multipart-files.js';
import { asHttpError } from './upload-rejections.js';

/** How the route reads request bodies; see {@link MultipartFiles}. */
export interface UploadTransport {
  idleTimeoutMs: number;
  limits: MultipartLimits;
}

const toResponse = (photo: UploadedPhoto) => ({
  id: photo.photoId,
  status: 'processing' as const,
  filename: photo.filename,
  contentType: photo.contentType,
  bytes: photo.bytes,
  width: photo.width,
  height: photo.height,
  sha256: photo.sha256,
  uploadedAt: photo.uploadedAt,
  duplicate: photo.duplicate,
});

/**
 * POST /photos: multipart, one or more parts named `file`. Answers 202 once every original is stored and
 * committed with its `photo.uploaded`; the relay publishes it right after.
 */
export function photoRoutes(app: ServiceApp, deps: OriginalsDeps & { afterUpload: (committed: CommittedEvent[]) => void; transport: UploadTransport }): void {
  app.post(
    '/photos',
    {
      schema: {
        summary: 'Upload photos',
        response: { 202: UploadAnswerSchema },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new UnsupportedMediaTypeError('Send photos as multipart/form-data, in parts named "file".');
      }
      const context = {
        source: '/services/upload',
        correlationId: request.id,
        ...(typeof request.headers.traceparent === 'string' ? { traceparent: request.headers.traceparent } : {}),
      };
      const body = new MultipartFiles(request, { fieldName: 'file', ...deps.transport });
      try {
        const { photos, committed } = await uploadPhotos(body.files(), request.user.sub, context, deps);
        deps.afterUpload(committed);
        return reply.code(202).send({ photos: photos.map(toResponse) });
      } catch (error) {
        throw body.explain(asHttpError(error));
      } finally {
        body.settle(reply);
      }
    },
  );
}
