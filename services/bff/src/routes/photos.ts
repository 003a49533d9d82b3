import { discardRequestBody, NotFoundError, problemResponses, UnsupportedMediaTypeError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { galleryPageCache } from '../adapters/gallery-page-cache.js';
import type { MediaUrls } from '../adapters/media-urls.js';
import { UpstreamError, type CallerContext, type MetadataClient } from '../adapters/metadata-client.js';
import { uploadClient } from '../adapters/upload-client.js';
import { pageJsonWithUrls, withUrls } from '../domain/photo-view.js';
import { uploadDocs } from './upload-docs.js';
import {
  BAD_PHOTO_ID,
  CSRF_REFUSED,
  NO_SUCH_PHOTO,
  NOT_AUTHENTICATED,
  PageQuery,
  PhotoIdParams,
  PhotoPageSchema,
  PhotoSchema,
  SECURITY,
  UPSTREAM_FAILED,
  UploadAnswerSchema,
} from './schemas.js';

/** Whether the request declares a multipart/form-data body (the only kind the upload hop takes). */
const isMultipart = (request: FastifyRequest) => /^multipart\/form-data(;|$)/i.test(request.headers['content-type']?.trim() ?? '');

const caller = (request: FastifyRequest): CallerContext => ({ authorization: request.headers.authorization ?? '', correlationId: request.id });

/** The most memory the gallery pages kept for metadata's 304s may take, per BFF replica (about 800 pages of 50 photos). */
const GALLERY_PAGES_MAX_BYTES = 32 * 1024 * 1024;
/** A strong ETag as metadata sends them (quoted), and as the BFF sends it back. */
const STRONG_ETAG = /^"[A-Za-z0-9_-]{1,64}"$/;

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
  const pages = galleryPageCache({ maxBytes: GALLERY_PAGES_MAX_BYTES, variantsVersion: () => deps.media.variantsVersion() });
  // The metadata client's keep-alive connections end with the app.
  app.addHook('onClose', () => deps.metadata.close());
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
      config: {
        rateLimit: { max: deps.uploadsPerMinute, timeWindow: '1 minute', keyGenerator: (r: FastifyRequest) => r.user?.sub ?? r.ip },
        // The multipart body is documented only: the route streams it on unparsed, so no schema may validate it.
        swaggerTransform: uploadDocs,
      },
      schema: {
        summary: 'Upload photos (multipart/form-data, one or more parts named "file")',
        description:
          'Each part named `file` is one photo, judged by its bytes (JPEG, PNG, WebP, AVIF, HEIC, HEIF, GIF, TIFF). Streamed through to the ' +
          'upload service; answered once every original is stored. Limits: MAX_UPLOAD_BYTES per file (200 MiB by default), ' +
          'MAX_FILES_PER_REQUEST files (20), MAX_PIXELS (100 MP) read from the header, MAX_FRAMES (1000) counted without decoding; RATE_LIMIT_UPLOADS_PER_MINUTE requests per user.',
        tags: ['photos'],
        security: SECURITY.write,
        response: {
          202: { ...UploadAnswerSchema, 'x-response-description': 'Stored; processing follows (watch GET /api/events or poll the photo).' },
          ...problemResponses({
            400: 'The multipart body is malformed, has no `file` part, or a file is empty.',
            ...NOT_AUTHENTICATED,
            ...CSRF_REFUSED,
            408: 'The client sent nothing for UPLOAD_IDLE_TIMEOUT_MS (30 s).',
            413: 'A file is over MAX_UPLOAD_BYTES, or there are more than MAX_FILES_PER_REQUEST files.',
            415: 'The body is not multipart/form-data, or a file is not an accepted image type (the detail names what it is).',
            422: 'An image is over MAX_PIXELS or MAX_FRAMES, or its header cannot be read.',
            429: 'Too many uploads by this user this minute (Retry-After).',
            502: 'The upload service failed or is unreachable.',
            504: 'The upload service stalled for UPLOAD_STALL_TIMEOUT_MS.',
          }),
        },
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
        description: 'Newest first by upload time; follow `nextCursor` for the next page. List items carry no `exif` or `originalUrl`.',
        tags: ['photos'],
        security: SECURITY.read,
        querystring: Type.Object({
          ...PageQuery.properties,
          status: Type.Optional(Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')])),
        }),
        response: {
          200: { ...PhotoPageSchema, 'x-response-description': 'A page of my photos.' },
          ...problemResponses({ 400: 'limit is not 1-100, status is unknown, or the cursor is not one of ours.', ...NOT_AUTHENTICATED, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) if (value !== undefined) params.set(name, String(value));
      const query = params.toString();
      // The page this replica made for this caller and query, if any: metadata says whether it still holds
      // (304), deciding by the page of the caller its token names, so another's page is never sent.
      const key = pages.keyOf(request.user.sub, query);
      const version = pages.version();
      const kept = pages.get(key);
      const answer = await deps.metadata.listPhotosIfChanged(caller(request), query, kept?.etag);
      reply.type('application/json; charset=utf-8');
      if ('unchanged' in answer) return reply.send(kept!.body as never);
      const page = await pageJsonWithUrls(answer.json, variantUrl);
      const etag = answer.etag !== undefined && STRONG_ETAG.test(answer.etag) ? answer.etag : undefined;
      if (typeof page !== 'string' || etag === undefined) pages.delete(key);
      if (typeof page !== 'string') return page;
      // As bytes, sent as they are (a string or a buffer skips the serializer): parsing 50 photos only to
      // serialize them again was most of this route's CPU (bench:bff).
      const body = Buffer.from(page);
      if (etag !== undefined) pages.set(key, etag, body, version);
      return reply.send(body as never);
    },
  );

  app.get(
    '/api/photos/:id',
    {
      schema: {
        summary: 'One of my photos, with EXIF and the URL of the original',
        tags: ['photos'],
        security: SECURITY.read,
        params: PhotoIdParams,
        response: {
          200: { ...PhotoSchema, 'x-response-description': 'The photo, with `exif` (null when none was read) and `originalUrl`.' },
          ...problemResponses({ ...BAD_PHOTO_ID, ...NOT_AUTHENTICATED, ...NO_SUCH_PHOTO, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request) => {
      const photo = await deps.metadata.getPhoto(caller(request), request.params.id);
      const { originalKey } = photo;
      return withUrls(photo, variantUrl, originalKey ? () => deps.media.original(originalKey) : undefined);
    },
  );

  app.get(
    '/api/photos/:id/original',
    {
      schema: {
        summary: 'The original bytes, by a redirect to a signed URL',
        description: 'Answers 302 to a short-lived signed URL of the original, byte for byte as uploaded (that URL needs no credentials).',
        tags: ['photos'],
        security: SECURITY.read,
        params: PhotoIdParams,
        response: {
          302: Type.Null({
            description: 'Found: the original is at Location.',
            headers: { location: Type.String({ description: "Signed, short-lived URL of the original (a /media URL or the object store's own)." }) },
          }),
          ...problemResponses({ ...BAD_PHOTO_ID, ...NOT_AUTHENTICATED, ...NO_SUCH_PHOTO, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      const photo = await deps.metadata.getPhoto(caller(request), request.params.id);
      if (!photo.originalKey) throw new NotFoundError(`Photo ${photo.id} has no original on record.`);
      return reply.redirect(await deps.media.original(photo.originalKey), 302);
    },
  );

  app.delete(
    '/api/photos/:id',
    {
      schema: {
        summary: 'Delete one of my photos',
        description: 'Gone from reads at once; its original and variants are removed after (photo.deleted).',
        tags: ['photos'],
        security: SECURITY.write,
        params: PhotoIdParams,
        response: {
          204: Type.Null({ description: 'Deleted.' }),
          ...problemResponses({ ...BAD_PHOTO_ID, ...NOT_AUTHENTICATED, ...CSRF_REFUSED, ...NO_SUCH_PHOTO, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      await deps.metadata.deletePhoto(caller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
