import type { MultipartFile } from '@fastify/multipart';
import type { PhotoUploaded } from '@photos/contracts';
import { BadRequestError, type ServiceApp, UnsupportedMediaTypeError } from '@photos/service-kit';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import { uploadPhotos, type UploadPhotosDeps, type UploadedPhoto } from '../domain/upload-photos.js';

const UploadedPhotoSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Literal('processing'),
  filename: Type.String(),
  contentType: Type.String(),
  bytes: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  sha256: Type.String(),
  uploadedAt: Type.String({ format: 'date-time' }),
  duplicate: Type.Boolean({ description: 'True when the caller had already uploaded these exact bytes.' }),
});

/** The `file` parts of a multipart request, one at a time, as they stream in. */
async function* fileParts(request: FastifyRequest): AsyncGenerator<{ stream: Readable; filename: string }> {
  let count = 0;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    const file = part as MultipartFile;
    if (file.fieldname !== 'file') {
      file.file.resume();
      continue;
    }
    count++;
    yield { stream: file.file, filename: file.filename };
  }
  if (count === 0) throw new BadRequestError('The request has no file: send one or more parts named "file".');
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
 * its `photo.uploaded` is in the outbox; the relay publishes it right after.
 */
export function photoRoutes(app: ServiceApp, deps: UploadPhotosDeps & { afterUpload: (events: PhotoUploaded[]) => void }): void {
  app.post(
    '/photos',
    {
      schema: {
        summary: 'Upload photos',
        response: { 202: Type.Object({ photos: Type.Array(UploadedPhotoSchema) }) },
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
      const { photos, events } = await uploadPhotos(fileParts(request), request.user.sub, context, deps);
      deps.afterUpload(events);
      return reply.code(202).send({ photos: photos.map(toResponse) });
    },
  );
}
