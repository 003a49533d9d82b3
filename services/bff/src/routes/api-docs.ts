import swagger from '@fastify/swagger';
import { nameSchemaComponents, type ServiceApp } from '@photos/service-kit';

/**
 * The public API's OpenAPI 3.1 document (served at /api/docs/json, the web app's types are generated from
 * it). Components are named by the schemas' `$id` (Photo, Problem...), not def-N, so generated clients
 * get readable types. Register before the routes it documents.
 */
export async function apiDocs(app: ServiceApp, cookieNames: { access: string; refresh: string; csrf: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Photo platform API',
        version: '1.0.0',
        description:
          'The public API of the photo platform (the BFF). Errors are application/problem+json (RFC 9457). Browsers authenticate by the ' +
          `session cookies login sets, and send the \`${cookieNames.csrf}\` cookie's value in \`X-CSRF-Token\` on POST, PUT, PATCH and ` +
          'DELETE; API clients send `Authorization: Bearer <accessToken>` and need no CSRF token.',
      },
      tags: [
        { name: 'auth', description: 'Accounts and browser sessions' },
        { name: 'photos', description: "The caller's photos and their live status" },
        { name: 'albums', description: 'Albums, and sharing them with other accounts' },
        { name: 'media', description: 'Signed image links' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of the login answer.' },
          accessCookie: { type: 'apiKey', in: 'cookie', name: cookieNames.access, description: 'The access token (JWT), httpOnly; set by login and refresh.' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: cookieNames.refresh, description: 'Opaque refresh token, httpOnly, sent only to /api/auth.' },
          csrfHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRF-Token',
            description: `The value of the \`${cookieNames.csrf}\` cookie; needed with cookies on unsafe methods, refresh and logout.`,
          },
        },
      },
    },
    transformObject: (document) => ('openapiObject' in document ? nameSchemaComponents(document.openapiObject as never) : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
}
