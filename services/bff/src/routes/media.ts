import type { ObjectStore } from '@photos/object-store';
import { ObjectNotFound } from '@photos/object-store';
import { BadRequestError, NotFoundError, problemResponses, type ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import { MEDIA_EXPIRES_MAX, MEDIA_KEY_MAX_LENGTH, MEDIA_KEY_PATTERN, MEDIA_SIGNATURE_PATTERN, type MediaUrls } from '../adapters/media-urls.js';

/**
 * GET /media/<bucket>/<key>?expires&signature: image bytes for stores that cannot sign URLs themselves
 * (the filesystem). The signature is the authorization, so an <img> tag loads it directly. Variant keys
 * are immutable: browsers may cache them for good.
 */
export function mediaRoutes(app: ServiceApp, deps: { media: MediaUrls; variants: ObjectStore; originals: ObjectStore }): void {
  app.get(
    '/media/:bucket/*',
    {
      config: { public: true },
      schema: {
        summary: 'Image bytes by a signed link (the URLs in Photo.variants and originalUrl)',
        description:
          'Served where the object store cannot sign URLs itself (the filesystem). The signature is the credential, so an <img> loads it ' +
          'directly. Variants are cached for good (immutable), originals privately for 10 minutes. Never build these URLs: take them from a Photo.',
        tags: ['media'],
        security: [],
        response: {
          200: {
            description: 'The bytes, with the stored content type.',
            content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
          },
          ...problemResponses({
            400: 'The URL cannot be one we signed: bad bucket, key, signature or expiry.',
            404: 'Wrong signature, expired link, or no such object.',
          }),
        },
        // A URL that cannot be one we signed (bad key, signature or expiry) is a 400, before any lookup.
        params: Type.Object({
          bucket: Type.Union([Type.Literal('variants'), Type.Literal('originals')]),
          '*': Type.String({ pattern: MEDIA_KEY_PATTERN, maxLength: MEDIA_KEY_MAX_LENGTH }),
        }),
        querystring: Type.Object({
          expires: Type.Integer({ minimum: 0, maximum: MEDIA_EXPIRES_MAX }),
          signature: Type.String({ pattern: MEDIA_SIGNATURE_PATTERN }),
        }),
      },
    },
    async (request, reply) => {
      const { bucket, '*': key } = request.params;
      // Ajv's coercion lets "1e400" through as Infinity, past the schema's maximum.
      if (!Number.isSafeInteger(request.query.expires)) throw new BadRequestError('expires must be an integer.');
      if (!deps.media.verify(`${bucket}/${key}`, request.query.expires, request.query.signature)) {
        throw new NotFoundError('No such media, or the link has expired.');
      }
      const store = bucket === 'variants' ? deps.variants : deps.originals;
      const info = await store.stat(key);
      if (!info) throw new NotFoundError('No such media, or the link has expired.');
      try {
        const body = await store.get(key);
        reply.header('content-type', info.contentType).header('content-length', info.bytes);
        reply.header('cache-control', bucket === 'variants' ? 'public, max-age=31536000, immutable' : 'private, max-age=600');
        reply.header('x-content-type-options', 'nosniff');
        return reply.send(body as never);
      } catch (error) {
        if (error instanceof ObjectNotFound) throw new NotFoundError('No such media.');
        throw error;
      }
    },
  );
}
