import Type, { type Static, type TObject, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** One environment variable that is missing or invalid, and why. Values are never echoed: they may be secrets. */
export interface ConfigIssue {
  variable: string;
  problem: string;
}

/** Thrown by {@link loadConfig}; the message names every bad or missing variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.problem}`).join('; ')}`);
    this.issues = issues;
  }
}

/** `METRICS_PORT` with a service's own default (each service has its own, as for PORT). */
export function metricsPortSchema(defaultPort: number) {
  return Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: defaultPort,
    description: 'Port of the internal listener that serves /metrics (never PORT, never published); 0: any free port.',
  });
}

/**
 * The variables every service reads. Spread its properties into a service's own schema:
 * `Type.Object({ ...baseConfigSchema.properties, DATABASE_URL: Type.String() })`.
 */
export const baseConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port (API, health; metrics are on METRICS_PORT).' }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to listen on.' }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info', description: 'Log level of the JSON logs.' },
  ),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000, description: 'Graceful shutdown budget before a forced exit.' }),
  METRICS_PORT: metricsPortSchema(9300),
  METRICS_HOST: Type.String({
    minLength: 1,
    default: '127.0.0.1',
    description: 'Address the metrics listener binds; 0.0.0.0 where Prometheus scrapes from another host (compose, Kubernetes).',
  }),
  TRUST_PROXY: Type.String({
    // true, false, or addresses / CIDRs / proxy-addr names (loopback, linklocal, uniquelocal). Not a hop
    // count: Fastify trusts no one for a bare number (a client could claim any number of hops).
    pattern: String.raw`^(?!\s*\d+\s*$)\s*(true|false|[\w.:/]+(\s*,\s*[\w.:/]+)*)\s*$`,
    default: 'false',
    description:
      'Proxies whose X-Forwarded-For gives the client address (what rate limits count): false (none: the socket peer), ' +
      'comma-separated addresses/CIDRs of the proxies (e.g. 10.0.0.0/8), or true (any: only behind a proxy that overwrites the header).',
  }),
});

/** The configuration every service has, as loaded from {@link baseConfigSchema}. */
export type BaseConfig = Static<typeof baseConfigSchema>;

/**
 * Fastify's `trustProxy` for a `TRUST_PROXY` value: false, true, or the list of trusted proxy addresses.
 * With false, `request.ip` is the socket's peer and X-Forwarded-For is ignored; with a list, the
 * rightmost address of X-Forwarded-For that is not a trusted proxy.
 */
export function trustProxyOption(value: string): boolean | string[] {
  const trimmed = value.trim();
  if (trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  return trimmed
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Reads the variables declared in `schema` (property names are the variable names) from `env`, converts
 * them to the declared types (integer, number, boolean, comma-separated arrays, literal unions), applies
 * defaults and validates. An empty value counts as unset, as compose files often write `FOO=`.
 *
 * @throws {ConfigError} naming every missing or invalid variable.
 */
export function loadConfig<S extends TObject>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = coerce(value, property);
  }
  const config = Value.Default(schema, raw);
  if (Value.Check(schema, config)) return config as Static<S>;
  const issues = issuesOf(schema, config as Record<string, unknown>);
  throw new ConfigError(issues.length > 0 ? issues : [{ variable: '(all)', problem: 'do not match the schema' }]);
}

/**
 * Runs `load` (usually a {@link loadConfig} call) in `server.ts`; on a {@link ConfigError} writes one JSON
 * log line to stderr and exits with code 1, so a misconfigured container fails fast and says why.
 * Other errors are rethrown.
 */
export function exitOnConfigError<T>(load: () => T, io: { write?: (line: string) => void; exit?: (code: number) => never } = {}): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const write = io.write ?? ((line: string) => process.stderr.write(line));
    const line = { level: 'fatal', time: new Date().toISOString(), msg: error.message, issues: error.issues };
    write(`${JSON.stringify(line)}\n`);
    return (io.exit ?? process.exit)(1);
  }
}

type SchemaLike = {
  type?: string | string[];
  const?: unknown;
  anyOf?: SchemaLike[];
  items?: SchemaLike;
};

/** Converts an environment string to what the schema expects; leaves it a string when it cannot, for validation to report. */
function coerce(value: string, schema: SchemaLike): unknown {
  if ('const' in schema) return String(schema.const) === value ? schema.const : value;
  if (schema.anyOf) {
    for (const member of schema.anyOf) {
      const converted = coerce(value, member);
      if (converted !== value || member.const === value) return converted;
    }
    return value;
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const trimmed = value.trim();
  if (types.includes('integer') && /^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
  if (types.includes('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (types.includes('boolean')) {
    const word = trimmed.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(word)) return true;
    if (['false', '0', 'no', 'off'].includes(word)) return false;
  }
  if (types.includes('array')) {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    return schema.items ? items.map((item) => coerce(item, schema.items as SchemaLike)) : items;
  }
  return value;
}

/**
 * One issue per variable, in schema order. Each property is checked on its own so that one variable's
 * errors never crowd out another's (TypeBox caps the errors it collects per check).
 */
function issuesOf(schema: TObject, config: Record<string, unknown>): ConfigIssue[] {
  const required = new Set<string>(schema.required ?? []);
  const issues: ConfigIssue[] = [];
  for (const [variable, property] of Object.entries(schema.properties as Record<string, TSchema & SchemaLike>)) {
    const value = config[variable];
    if (value === undefined) {
      if (required.has(variable)) issues.push({ variable, problem: 'is required' });
      continue;
    }
    const [error] = Value.Errors(property, value);
    if (!error) continue;
    const choices = property.anyOf?.every((member) => 'const' in member) ? property.anyOf.map((member) => String(member.const)) : undefined;
    const where = error.instancePath ? ` (at ${error.instancePath})` : '';
    issues.push({ variable, problem: choices ? `must be one of ${choices.join(', ')}` : `${error.message}${where}` });
  }
  return issues;
}
