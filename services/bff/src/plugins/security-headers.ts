import type { ServiceApp } from '@photos/service-kit';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers (CSP, HSTS, frame and cross-origin policies...) on every answer of the app,
 * 404s and errors included. Helmet's middleware is built once: @fastify/helmet built it again on every
 * request, parsing the CSP directives each time (3% of the BFF's CPU on the gallery page, bench:bff).
 */
export function securityHeaders(app: ServiceApp, options: HelmetOptions): void {
  const setHeaders = helmet(options);
  app.addHook('onRequest', (request, reply, done) => setHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
}
