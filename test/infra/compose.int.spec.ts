/**
 * infra/compose and the Dockerfile, checked without Docker (there is no engine on our machines): the
 * compose file against the Compose Specification's JSON schema and against our rules, the bus switch
 * against the services' own config loading, Prometheus' targets, the Grafana dashboard's metric names
 * against the code, and the image recipe. Each rule check is also shown to fire on a broken copy.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { eventBusConfigSchema, transportOf } from '@photos/event-bus';
import { loadConfig } from '@photos/service-kit';
import type { TObject } from 'typebox';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  appServices,
  composeRuleViolations,
  dashboardViolations,
  interpolate,
  loadCompose,
  parseEnvFile,
  prometheusViolations,
  schemaViolations,
  type AppService,
  type ComposeDocument,
} from './compose-rules.js';

const root = join(import.meta.dirname, '..', '..');
const composeDir = join(root, 'infra', 'compose');
const composeFile = join(composeDir, 'docker-compose.yml');
const read = (path: string) => readFileSync(path, 'utf8');
const load = (env: Record<string, string> = {}) => loadCompose(composeFile, env);

/** What a container of `service` gets: its env_file(s), then `environment` on top, as Compose merges them. */
function containerEnv(doc: ComposeDocument, service: string): Record<string, string> {
  const definition = doc['services'][service];
  const envFiles = ([] as string[]).concat(definition['env_file'] ?? []);
  const env: Record<string, string> = {};
  for (const file of envFiles) Object.assign(env, parseEnvFile(read(join(composeDir, file))));
  for (const [k, v] of Object.entries(definition['environment'] ?? {})) env[k] = v === null ? '' : String(v);
  return env;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((file) => /\.tsx?$/.test(file) && !/\.spec\.tsx?$/.test(file) && statSync(file).isFile());
}

const workspaceSources = () =>
  ['packages', 'services'].flatMap((group) => readdirSync(join(root, group)).flatMap((name) => sourceFiles(join(root, group, name, 'src'))));

describe('infra/compose/docker-compose.yml', () => {
  it('is valid against the Compose Specification schema, as is and with every switch set', () => {
    expect(schemaViolations(load())).toEqual([]);
    expect(
      schemaViolations(load({ EVENT_TRANSPORT: 'rabbitmq', BIND_ADDRESS: '0.0.0.0', BFF_PORT: '8080', IMAGE_TAG: '1.2.3', JWT_SECRET: 'x'.repeat(40) })),
    ).toEqual([]);
  });

  it('the schema check fires on a malformed file', () => {
    const doc = load();
    doc['services'].upload.healthcheck.interval = 'soon';
    doc['services'].upload.helthcheck = {};
    doc['services'].bff.ports = ['3000:3000:3000:3000'];
    const problems = schemaViolations(doc);
    expect(problems.some((p) => p.includes('/services/upload/healthcheck/interval'))).toBe(true);
    expect(problems.some((p) => p.includes('helthcheck'))).toBe(true);
    expect(problems.some((p) => p.includes('/services/bff/ports/0'))).toBe(true);
  });

  it('runs with no .env: every variable it reads has a default', () => {
    const bare = [...read(composeFile).matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
    expect(bare).toEqual([]);
    expect(() => load()).not.toThrow();
  });

  it('keeps the rules: healthchecks, start order, one network, published ports, volumes, scaling, pinned images', () => {
    expect(composeRuleViolations(load())).toEqual([]);
    expect(composeRuleViolations(load({ EVENT_TRANSPORT: 'rabbitmq' }))).toEqual([]);
  });

  const mutations: Array<[string, (doc: ComposeDocument) => void, string]> = [
    ['a service without healthcheck', (d) => delete d['services'].processor.healthcheck, 'processor: no healthcheck'],
    ['infrastructure without healthcheck', (d) => delete d['services'].kafka.healthcheck, 'kafka: no healthcheck'],
    [
      'metadata not waiting for migrations',
      (d) => (d['services'].metadata.depends_on.migrate.condition = 'service_started'),
      'metadata: depends_on migrate must use condition service_completed_successfully',
    ],
    [
      'an app not waiting for health',
      (d) => (d['services'].upload.depends_on.minio.condition = 'service_started'),
      'upload: depends_on minio must use condition service_healthy',
    ],
    ['an app missing a dependency', (d) => delete d['services'].bff.depends_on.metadata, 'bff: must depend on metadata'],
    [
      'a hard dependency on the profile-only broker',
      (d) => delete d['services'].upload.depends_on.rabbitmq.required,
      'upload: depends on rabbitmq, which only runs with profile rabbitmq',
    ],
    ['a processor container_name', (d) => (d['services'].processor.container_name = 'processor'), 'processor: container_name prevents --scale'],
    ['a processor host port', (d) => (d['services'].processor.ports = ['3002:3002']), 'processor: a host port prevents --scale'],
    ['infrastructure publishing a port', (d) => (d['services'].postgres.ports = ['5432:5432']), 'postgres: publishes ports'],
    ['a console published beyond loopback', (d) => (d['services'].consoles.ports = ['9001:9001']), 'consoles: console port "9001:9001" must bind 127.0.0.1'],
    ['a second network', (d) => (d['services'].redis.networks = ['backend', 'other']), 'redis: must be on network backend only'],
    [
      'data outside its named volume',
      (d) => (d['services'].postgres.volumes = ['./pgdata:/var/lib/postgresql/data']),
      'postgres: does not keep its data in volume postgres-data',
    ],
    ['an undeclared volume', (d) => delete d['volumes']['kafka-data'], 'volume kafka-data is not declared'],
    ['an unpinned image', (d) => (d['services'].redis.image = 'redis:latest'), 'redis: image redis:latest is not pinned'],
    ['an image without tag', (d) => (d['services'].prometheus.image = 'prom/prometheus'), 'prometheus: image prom/prometheus is not pinned'],
    ['rabbitmq outside its profile', (d) => delete d['services'].rabbitmq.profiles, 'rabbitmq: must be in profile rabbitmq'],
    [
      'an app probing the wrong port',
      (d) => (d['services'].bff.healthcheck.test = ['CMD', 'true']),
      'bff: healthcheck must probe http://127.0.0.1:3000/health/ready',
    ],
    ['a top-level version', (d) => (d['version'] = '3.8'), 'top-level `version` is obsolete'],
    ['metrics on the API port', (d) => (d['services'].bff.environment.METRICS_PORT = 3000), 'bff: METRICS_PORT must be 9300'],
    [
      'traces sent nowhere',
      (d) => delete d['services'].processor.environment.OTEL_EXPORTER_OTLP_ENDPOINT,
      'processor: OTEL_EXPORTER_OTLP_ENDPOINT must be http://jaeger:4318',
    ],
    ['traces under another name', (d) => (d['services'].upload.environment.OTEL_SERVICE_NAME = 'svc'), 'upload: OTEL_SERVICE_NAME must be upload'],
    ['no log shipper', (d) => delete d['services'].alloy, 'service alloy is missing'],
    ['the metrics port published', (d) => d['services'].bff.ports.push('127.0.0.1:9300:9300'), 'bff: publishes its metrics port'],
  ];

  it.each(mutations)('the rule check fires on %s', (_name, mutate, expected) => {
    const doc = load();
    mutate(doc);
    expect(composeRuleViolations(doc).join('\n')).toContain(expected);
  });
});

describe('the bus switch (EVENT_TRANSPORT + --profile rabbitmq)', () => {
  it.each([
    ['kafka', {}],
    ['rabbitmq', { EVENT_TRANSPORT: 'rabbitmq' }],
  ] as const)('%s: every app service selects it, as its own config loading decides', (transport, env) => {
    const doc = load(env);
    for (const service of Object.keys(appServices)) {
      const config = loadConfig(eventBusConfigSchema, containerEnv(doc, service));
      expect(transportOf(config), service).toBe(transport);
    }
  });

  it('points at the brokers compose runs, with the credentials RabbitMQ is given', () => {
    const kafka = containerEnv(load(), 'upload');
    const kafkaService = load()['services'].kafka;
    expect(kafkaService.environment.KAFKA_ADVERTISED_LISTENERS).toContain(`PLAINTEXT://${kafka['KAFKA_BROKERS']}`);

    const doc = load({ EVENT_TRANSPORT: 'rabbitmq' });
    const url = new URL(containerEnv(doc, 'upload')['AMQP_URL']!);
    const rabbit = doc['services'].rabbitmq.environment;
    expect([url.hostname, url.port, decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([
      'rabbitmq',
      '5672',
      rabbit.RABBITMQ_DEFAULT_USER,
      rabbit.RABBITMQ_DEFAULT_PASS,
    ]);
  });

  it('an unknown transport names an env file that does not exist (Compose refuses to start)', () => {
    const file = load({ EVENT_TRANSPORT: 'nats' })['services'].upload.env_file[0];
    expect(existsSync(join(composeDir, file))).toBe(false);
  });
});

describe('the variables compose gives each service', () => {
  const configModules: Record<AppService, string> = {
    upload: 'services/upload/src/config.ts',
    processor: 'services/processor/src/config.ts',
    metadata: 'services/metadata/src/config.ts',
    bff: 'services/bff/src/config.ts',
  };

  it.each(Object.entries(configModules) as Array<[AppService, string]>)('%s: are all ones it reads, and its config loads', async (service, path) => {
    if (!existsSync(join(root, path))) {
      console.warn(`${path} does not exist yet: compose variables of ${service} not checked`);
      return;
    }
    const module = (await import(join(root, path))) as Record<string, unknown>;
    const schema = Object.entries(module).find(([name]) => name.endsWith('ConfigSchema'))?.[1] as TObject | undefined;
    expect(schema, `${path} exports no *ConfigSchema`).toBeDefined();
    for (const transport of [{}, { EVENT_TRANSPORT: 'rabbitmq' }] as Array<Record<string, string>>) {
      const env = containerEnv(load(transport), service);
      // NODE_ENV and OTEL_* are read by Node and the OpenTelemetry SDK themselves, not by the service's config.
      const unknown = Object.keys(env).filter((name) => name !== 'NODE_ENV' && !name.startsWith('OTEL_') && !(name in schema!.properties));
      expect(unknown, `variables ${service} does not read`).toEqual([]);
      expect(() => loadConfig(schema!, env)).not.toThrow();
    }
  });
});

describe('Prometheus', () => {
  const config = parse(read(join(composeDir, 'prometheus', 'prometheus.yml'))) as ComposeDocument;

  it('scrapes every app service on its internal metrics port, every processor replica through DNS', () => {
    expect(prometheusViolations(config)).toEqual([]);
  });

  it('the check fires when a service is not scraped or the processor is scraped by name only', () => {
    const withoutMetadata = { ...config, scrape_configs: config['scrape_configs'].filter((j: ComposeDocument) => j['job_name'] !== 'metadata') };
    expect(prometheusViolations(withoutMetadata)).toContain('prometheus: does not scrape metadata:9303');
    const onApiPort = {
      ...config,
      scrape_configs: config['scrape_configs'].map((j: ComposeDocument) =>
        j['job_name'] === 'bff' ? { job_name: 'bff', static_configs: [{ targets: ['bff:3000'] }] } : j,
      ),
    };
    expect(prometheusViolations(onApiPort)).toContain('prometheus: does not scrape bff:9300');
    const staticProcessor = {
      ...config,
      scrape_configs: config['scrape_configs'].map((j: ComposeDocument) =>
        j['job_name'] === 'processor' ? { job_name: 'processor', static_configs: [{ targets: ['processor:9302'] }] } : j,
      ),
    };
    expect(prometheusViolations(staticProcessor).join('\n')).toContain('processor must be discovered by DNS');
  });

  it('is mounted where the prometheus service reads it', () => {
    const prometheus = load()['services'].prometheus;
    expect(prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });
});

describe('Grafana', () => {
  const dashboardPath = join(composeDir, 'grafana', 'dashboards', 'photo-platform.json');
  const dashboard = JSON.parse(read(dashboardPath)) as ComposeDocument;
  /** Metrics that come from exporters, and the compose service (and Prometheus job) that provides each. */
  const external = { kafka_consumergroup_lag: 'kafka-exporter', rabbitmq_detailed_queue_messages_ready: 'rabbitmq', up: 'prometheus' };
  const sources = () => workspaceSources().map(read).join('\n');

  it('has the panels the stack promises', () => {
    const titles = dashboard['panels'].map((p: ComposeDocument) => p['title']);
    expect(titles).toEqual(
      expect.arrayContaining(['Uploads / s', 'Processed / s', 'Processing duration', 'Consumer lag', 'Errors / s', 'Upload to ready latency']),
    );
  });

  it('queries only metrics the code registers, or exporters that compose runs and Prometheus scrapes', () => {
    expect(dashboardViolations(dashboard, sources(), external)).toEqual([]);
    const services = load()['services'];
    const jobs = (parse(read(join(composeDir, 'prometheus', 'prometheus.yml'))) as ComposeDocument)['scrape_configs'].map(
      (j: ComposeDocument) => j['job_name'],
    );
    for (const provider of Object.values(external)) {
      expect(services[provider], provider).toBeDefined();
      expect(jobs, provider).toContain(provider);
    }
  });

  it('the check fires on a metric nobody registers', () => {
    const broken = structuredClone(dashboard);
    broken['panels'][0].targets[0].expr = 'sum(rate(photos_teleported_total{job="upload"}[1m]))';
    expect(dashboardViolations(broken, sources(), external).join('\n')).toContain('metric photos_teleported_total is not defined in the code');
  });

  it('is provisioned: datasource uid, dashboard folder and mounts agree', () => {
    const datasource = parse(read(join(composeDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'))) as ComposeDocument;
    const provider = parse(read(join(composeDir, 'grafana', 'provisioning', 'dashboards', 'photo-platform.yml'))) as ComposeDocument;
    const uid = datasource['datasources'][0].uid;
    expect(datasource['datasources'][0].url).toBe('http://prometheus:9090');
    for (const panel of dashboard['panels']) expect(panel.datasource.uid, panel.title).toBe(uid);
    const grafana = load()['services'].grafana;
    expect(grafana.volumes).toContain(`./grafana/dashboards:${provider['providers'][0].options.path}:ro`);
    expect(grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider['providers'][0].options.path}/${relative(dirname(dashboardPath), dashboardPath)}`,
    );
  });
});

describe('the Dockerfile', () => {
  const dockerfile = read(join(root, 'Dockerfile'));
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ from: m[1]!, name: m[2] }));

  it('builds every compose image from node:24-slim, as the non-root node user, with production dependencies only', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(stages[0]).toEqual({ from: '${NODE_IMAGE}', name: 'base' });
    expect(dockerfile).toMatch(/npm ci --omit=dev --workspace "services\/\$\{SERVICE\}" --include-workspace-root=false/);
    const service = dockerfile.slice(dockerfile.search(/^FROM base AS service$/m), dockerfile.search(/^FROM toolchain AS web$/m));
    expect(service).toMatch(/^USER node$/m);
    expect(service).toContain('CMD ["node", "dist/server.js"]');
    expect(service).toMatch(/^HEALTHCHECK .*\n?.*\/health\/live/m);
    expect(service).toMatch(/LD_PRELOAD=\/usr\/local\/lib\/libjemalloc\.so\.2/);
    // Nothing of the TypeScript toolchain or the sources reaches a service image: only the build stage's /out.
    expect(service).not.toMatch(/tsx|--conditions|COPY packages|COPY services/);
    expect(service).toContain('COPY --from=build /out/ ./');
    expect(dockerfile).not.toMatch(/:latest\b/);

    const services = load()['services'] as Record<string, ComposeDocument>;
    for (const [name, definition] of Object.entries(services).filter(([, d]) => d['build'])) {
      expect(join(composeDir, definition['build'].context), name).toBe(root);
      expect(definition['build'].dockerfile, name).toBe('Dockerfile');
      expect(
        stages.map((s) => s.name),
        name,
      ).toContain(definition['build'].target);
      expect(existsSync(join(root, 'services', definition['build'].args.SERVICE)), name).toBe(true);
    }
  });

  it('compiles each service with the build script in a stage of its own; npm start still runs the sources', () => {
    const build = dockerfile.slice(dockerfile.search(/^FROM toolchain AS build$/m), dockerfile.search(/^FROM base AS service$/m));
    expect(build).toMatch(/^RUN node scripts\/build-service\.mjs "\$\{SERVICE\}" --stage \/out$/m);
    expect(stages.find((s) => s.name === 'toolchain')?.from).toBe('base');
    for (const service of Object.keys(appServices)) {
      const manifest = JSON.parse(read(join(root, 'services', service, 'package.json'))) as { scripts?: Record<string, string> };
      expect(manifest.scripts?.['start'], service).toBe('node --conditions=@photos/source --import tsx src/server.ts');
    }
  });

  it('keeps dependencies, build output, data and git out of the build context', () => {
    const ignored = read(join(root, '.dockerignore'))
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['**/node_modules', '**/dist', '**/.data', '**/.cache', '.git', '**/.env']) expect(ignored).toContain(entry);
  });

  it('every service declares the packages its code imports (the image installs only those)', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const missing: string[] = [];
    for (const service of Object.keys(appServices)) {
      const manifest = JSON.parse(read(join(root, 'services', service, 'package.json'))) as { dependencies?: Record<string, string> };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const files = sourceFiles(join(root, 'services', service, 'src')).filter((f) => !f.includes(`${join('src', 'test-support')}`));
      for (const file of files) {
        for (const match of read(file).matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
          const specifier = match[1]!;
          if (specifier.startsWith('.') || builtins.has(specifier) || specifier.startsWith('node:')) continue;
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
          if (!declared.has(name)) missing.push(`${relative(root, file)} imports ${name}, not in services/${service}/package.json dependencies`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('interpolation (as Compose does it)', () => {
  it.each([
    ['${A:-x}', {}, 'x'],
    ['${A:-x}', { A: '' }, 'x'],
    ['${A-x}', { A: '' }, ''],
    ['${A-x}', {}, 'x'],
    ['${A:+y}', { A: '1' }, 'y'],
    ['${A:+y}', {}, ''],
    ['$$A ${B:-${C:-deep}}', {}, '$A deep'],
    ['${A}/$B', { A: 'a', B: 'b' }, 'a/b'],
  ] as const)('%s with %j is %s', (text, env, expected) => {
    expect(interpolate(text, env)).toBe(expected);
  });

  it('refuses what Compose refuses', () => {
    expect(() => interpolate('${A:?set A}', {})).toThrow('set A');
    expect(() => interpolate('${A', {})).toThrow();
  });
});
