import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Resolves true when a dependency the service needs to take traffic (broker, database...) is usable. */
export type ReadinessCheck = () => Promise<boolean>;

/** Outcome of one readiness check. */
export type CheckOutcome = 'ok' | 'failing' | 'timed out' | 'error';

/** Options of {@link healthPlugin}. */
export interface HealthOptions {
  /** Named checks run by GET /health/ready, e.g. `{ bus: () => bus.isHealthy() }`: any failing one makes it 503. */
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /**
   * Checks of dependencies the service can partly work without (the BFF still takes uploads while the
   * metadata service is down): reported by GET /health/ready, but a failing one only makes the status
   * `degraded`, still 200, so a load balancer keeps sending the traffic that can be served.
   */
  degradedBy?: Readonly<Record<string, ReadinessCheck>>;
  /** How long one check may take before it counts as failing. Default 2000 ms. */
  checkTimeoutMs?: number;
}

/** Decorated on the app as `app.health`. */
export interface Health {
  /** True once shutdown has begun: /health/ready answers 503 from then on. */
  readonly shuttingDown: boolean;
  /** Marks the service not ready so load balancers stop sending traffic. Also done by `app.close()`. */
  beginShutdown(): void;
  /**
   * Adds a readiness check, e.g. from a plugin that opens a connection; `degrades` adds it as one of
   * the `degradedBy` checks (a failure makes the status `degraded`, still 200).
   */
  addCheck(name: string, check: ReadinessCheck, options?: { degrades?: boolean }): void;
}

/**
 * GET /health/live: 200 `{status:'ok'}` while the process runs (also during shutdown: it is finishing work,
 * not broken). GET /health/ready: runs every check in parallel, each with a timeout; 200
 * `{status:'ok', checks:{name:'ok'}}`, or 503 `{status:'unavailable', checks}` when a readiness check
 * fails, 200 `{status:'degraded', checks}` when only a `degradedBy` check fails, or 503
 * `{status:'shutting down'}` once shutdown has begun.
 */
export const healthPlugin = fp(
  async (app: FastifyInstance, options: HealthOptions) => {
    const checks = new Map(Object.entries(options.readiness ?? {}));
    const optional = new Map(Object.entries(options.degradedBy ?? {}));
    const timeoutMs = options.checkTimeoutMs ?? 2_000;
    let shuttingDown = false;

    const health: Health = {
      get shuttingDown() {
        return shuttingDown;
      },
      beginShutdown() {
        shuttingDown = true;
      },
      addCheck(name, check, { degrades = false } = {}) {
        if (checks.has(name) || optional.has(name)) throw new Error(`readiness check "${name}" is already registered`);
        (degrades ? optional : checks).set(name, check);
      },
    };
    app.decorate('health', health);
    app.addHook('preClose', async () => health.beginShutdown());

    app.get('/health/live', { config: { probe: true } }, async () => ({ status: 'ok' }));

    app.get('/health/ready', { config: { probe: true } }, async (request, reply) => {
      if (shuttingDown) return reply.code(503).send({ status: 'shutting down', checks: {} });
      const run = (entries: [string, ReadinessCheck][]) => Promise.all(entries.map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
      const [required, degrading] = await Promise.all([run([...checks]), run([...optional])]);
      const failing = required.filter(([, outcome]) => outcome !== 'ok');
      const degraded = degrading.filter(([, outcome]) => outcome !== 'ok');
      if (failing.length > 0 || degraded.length > 0) {
        request.log.warn({ checks: Object.fromEntries([...failing, ...degraded]) }, failing.length > 0 ? 'not ready' : 'degraded');
      }
      const status = failing.length > 0 ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ok';
      return reply.code(failing.length === 0 ? 200 : 503).send({ status, checks: Object.fromEntries([...required, ...degrading]) });
    });
  },
  { name: '@photos/service-kit/health', fastify: '5.x' },
);

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  try {
    return await Promise.race([check().then((ok): CheckOutcome => (ok ? 'ok' : 'failing')), timeout]);
  } catch {
    return 'error';
  } finally {
    clearTimeout(timer);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Readiness state and checks; see the service kit's health plugin. */
    health: Health;
  }
}
