import swagger from '@fastify/swagger';
import { nameSchemaComponents, type ServiceApp } from '@photos/service-kit';

/**
 * Metadata's internal HTTP API as OpenAPI 3.1, served at GET /docs/json (no token: it is the contract the
 * BFF's client is checked against). Register before the routes it documents. Components are named by the
 * shared schemas' `$id` (StoredPhoto, Problem...) instead of def-N.
 */
export async function apiDocs(app: ServiceApp): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Metadata service (internal)',
        version: '1.0.0',
        description: "Queries over one owner's photos, for the BFF. The caller is the token's `sub`.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (document) => ('openapiObject' in document ? nameSchemaComponents(document.openapiObject as never) : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.get('/docs/json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());
}
