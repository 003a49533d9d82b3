import { discardRequestBody, UnsupportedMediaTypeError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { MediaUrls } from '../adapters/media-urls.js';
import { UpstreamError, type CallerContext, type MetadataClient } from '../adapters/metadata-client.js';
import { uploadClient } from '../adapters/upload-client.js';
import { toPhotoView } from '../domain/photo-view.js';
import { PhotoIdParams, PhotoSchema } from './schemas.js';

/** Whether the request declares a multipart/form-data body (the only kind the upload hop takes). */
const isMultipart = (request: FastifyRequest) => /^multipart\/form-data(;|$)/i.test(request.headers['content-type']?.trim() ?? '');

const caller = (request: FastifyRequest): CallerContext => ({ authorization: request.headers.authorization ?? '', correlationId: request.id });

/**
 * The photo routes of the public API. Listing and details aggregate the metadata service's records with
 * signed variant URLs; uploads stream through to the upload service untouched (no buffering here).
 */
export function photoRoutes(
  app: ServiceApp,
  deps: {
    metadata: MetadataClient;
    media: MediaUrls;
    uploadUrl: string;
    uploadsPerMinute: number;
    /** See the BFF's UPLOAD_STALL_TIMEOUT_MS. */
    uploadStallTimeoutMs: number;
    fetchImpl?: typeof fetch;
  },
): void {
  const variantUrl = (key: string) => deps.media.variant(key);
  const uploads = uploadClient({
    uploadUrl: deps.uploadUrl,
    stallTimeoutMs: deps.uploadStallTimeoutMs,
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
  });
  /** After an answer other than 2xx, the client may still be sending: read the rest off, bounded. */
  const stopReceiving = (request: FastifyRequest, reply: FastifyReply) =>
    discardRequestBody(request.raw, { idleTimeoutMs: deps.uploadStallTimeoutMs, response: reply.raw });

  // Multipart bodies are not parsed here: the route streams the raw request to the upload service.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null, undefined));

  app.post(
    '/api/photos',
    {
      config: { rateLimit: { max: deps.uploadsPerMinute, timeWindow: '1 minute', keyGenerator: (r: FastifyRequest) => r.user?.sub ?? r.ip } },
      schema: {
        summary: 'Upload photos (multipart/form-data, one or more parts named "file")',
        tags: ['photos'],
        consumes: ['multipart/form-data'],
        response: { 202: Type.Object({ photos: Type.Array(Type.Object({ id: Type.String(), status: Type.Literal('processing') }, { additionalProperties: true })) }) },
      },
    },
    async (request, reply) => {
      // Any other body was parsed (JSON, text) or refused by Fastify already; none is an upload.
      if (!isMultipart(request)) throw new UnsupportedMediaTypeError('Send photos as multipart/form-data, in parts named "file".');
      const headers: Record<string, string> = {
        authorization: request.headers.authorization ?? '',
        'content-type': request.headers['content-type'] ?? '',
        'x-correlation-id': request.id,
      };
      if (request.headers['content-length']) headers['content-length'] = request.headers['content-length'];
      let answer;
      try {
        answer = await uploads.forward(request.raw, headers);
      } catch (error) {
        stopReceiving(request, reply);
        throw error;
      }
      if (answer.status >= 400) stopReceiving(request, reply);
      if (answer.status >= 500) throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The upload service failed.' });
      // Relayed as text: the upload service's 202 body or its problem+json, unchanged.
      reply.code(answer.status as 202).type(answer.contentType);
      return reply.send(answer.body as never);
    },
  );

  app.get(
    '/api/photos',
    {
      schema: {
        summary: 'List my photos, newest first',
        tags: ['photos'],
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          status: Type.Optional(Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')])),
        }),
        response: { 200: Type.Object({ items: Type.Array(PhotoSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) if (value !== undefined) query.set(name, String(value));
      const page = await deps.metadata.listPhotos(caller(request), query);
      return { items: await Promise.all(page.items.map((photo) => toPhotoView(photo, variantUrl))), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/photos/:id',
    { schema: { summary: 'One of my photos, with EXIF', tags: ['photos'], params: PhotoIdParams, response: { 200: PhotoSchema } } },
    async (request) => {
      const photo = await deps.metadata.getPhoto(caller(request), request.params.id);
      return { ...(await toPhotoView(photo, variantUrl, true)), originalUrl: await deps.media.original(photo.id) };
    },
  );

  app.get(
    '/api/photos/:id/original',
    { schema: { summary: 'The original bytes (redirect to a signed URL)', tags: ['photos'], params: PhotoIdParams } },
    async (request, reply) => {
      const photo = await deps.metadata.getPhoto(caller(request), request.params.id);
      return reply.redirect(await deps.media.original(photo.id), 302);
    },
  );

  app.delete(
    '/api/photos/:id',
    { schema: { summary: 'Delete one of my photos', tags: ['photos'], params: PhotoIdParams } },
    async (request, reply) => {
      await deps.metadata.deletePhoto(caller(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
