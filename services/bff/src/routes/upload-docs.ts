import type { FastifySchema } from 'fastify';

/**
 * The upload's request body, for the OpenAPI document only (@fastify/swagger's per-route
 * `swaggerTransform`): the route streams the multipart body on to the upload service unparsed, so a
 * `body` schema given to Fastify would validate a body that is never read.
 */
export function uploadDocs({ schema, url }: { schema: FastifySchema; url: string }) {
  const body = {
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: {
            file: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', format: 'binary', description: 'A photo file; its name is kept as the filename.' },
              description: 'One or more parts named `file`, one per photo. Parts with other names are skipped; none named `file`: 400.',
            },
          },
        },
        encoding: { file: { contentType: 'image/*' } },
      },
    },
  };
  return { schema: { ...schema, body }, url };
}
