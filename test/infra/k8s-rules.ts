/**
 * Checks of infra/k8s (no cluster here): the overlays are built with kustomize (`kubectl kustomize`), every
 * object is validated against the Kubernetes and KEDA schemas (npm kubernetes-models, @kubernetes-models/keda),
 * and against the rules the platform keeps. Every check returns the list of broken rules, so a test can assert
 * "none" on the real files and show a check firing on a broken copy.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type K8sObject = Record<string, any>;

/** The four services: API port (PORT, probes) and internal metrics port (METRICS_PORT). */
export const services = {
  upload: { port: 3001, metrics: 9301 },
  processor: { port: 3002, metrics: 9302 },
  metadata: { port: 3003, metrics: 9303 },
  bff: { port: 3000, metrics: 9300 },
} as const;
export type ServiceName = keyof typeof services;

/** The objects `kubectl kustomize dir` renders (KUBECTL names the binary; kubectl embeds kustomize). */
export function kustomize(dir: string): K8sObject[] {
  const output = execFileSync(process.env['KUBECTL'] ?? 'kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject)
    .filter(Boolean);
}

/** Schema errors of every object, from the kubernetes-models class of its apiVersion and kind. */
export async function schemaViolations(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const apiVersion = String(object['apiVersion']);
    const kind = String(object['kind']);
    const module = apiVersion.startsWith('keda.sh/') ? `@kubernetes-models/keda/${apiVersion}` : `kubernetes-models/${apiVersion}`;
    let models: Record<string, new (data: K8sObject) => { validate(): void }>;
    try {
      models = (await import(module)) as typeof models;
    } catch {
      problems.push(`${kind} ${object['metadata']?.name}: no schema for apiVersion ${apiVersion}`);
      continue;
    }
    const Model = models[kind];
    if (!Model) {
      problems.push(`${kind} ${object['metadata']?.name}: no schema for ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new Model(structuredClone(object)).validate();
    } catch (error) {
      problems.push(`${kind} ${object['metadata']?.name}: ${(error as Error).message.split('\n').slice(0, 4).join(' ')}`);
    }
  }
  return problems;
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o['kind'] === kind);
const named = (objects: K8sObject[], kind: string, name: string) => byKind(objects, kind).find((o) => o['metadata']?.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The variables a container gets: its ConfigMaps' data (envFrom) and its env entries (names only for secrets). */
export function containerEnv(objects: K8sObject[], container: K8sObject): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const source of container['envFrom'] ?? []) {
    if (source['configMapRef']) Object.assign(env, named(objects, 'ConfigMap', source['configMapRef'].name)?.['data'] ?? {});
  }
  for (const entry of container['env'] ?? []) env[entry['name']] = entry['value'];
  return env;
}

/** What the code says, read from it by the test: the processor's consumer group, the event channel, the group queue name. */
export interface CodeFacts {
  processorGroup: string;
  topic: string;
  processorQueue: string;
  /** Per service: the variables its config schema reads. */
  configVariables: Record<ServiceName, string[]>;
}

/** Every broken rule of a rendered overlay. `transport` is the bus the overlay is for. */
export function k8sRuleViolations(objects: K8sObject[], transport: 'kafka' | 'rabbitmq', code: CodeFacts): string[] {
  const problems: string[] = [];
  const deployments = byKind(objects, 'Deployment');

  for (const [name, ports] of Object.entries(services) as Array<[ServiceName, (typeof services)[ServiceName]]>) {
    const deployment = named(objects, 'Deployment', name);
    if (!deployment) {
      problems.push(`deployment ${name} is missing`);
      continue;
    }
    const pod = deployment['spec']['template'];
    if (!matches(deployment['spec']['selector']?.matchLabels, pod['metadata']?.labels)) problems.push(`${name}: selector does not match its pod labels`);
    const podSecurity = pod['spec']['securityContext'] ?? {};
    if (podSecurity['runAsNonRoot'] !== true) problems.push(`${name}: pod must set runAsNonRoot`);
    const containers = pod['spec']['containers'] as K8sObject[];
    const container = containers.find((c) => c['name'] === name);
    if (!container) {
      problems.push(`${name}: no container named ${name}`);
      continue;
    }
    const image = String(container['image'] ?? '');
    if (!new RegExp(`^(?:[^/]+/)*photo-platform/${name}:[^:]+$`).test(image) || image.endsWith(':latest')) {
      problems.push(`${name}: image must be photo-platform/${name} pinned to a tag, is ${image}`);
    }
    const portsByName = Object.fromEntries((container['ports'] ?? []).map((p: K8sObject) => [p['name'], p['containerPort']]));
    if (portsByName['http'] !== ports.port) problems.push(`${name}: port http must be ${ports.port}`);
    if (portsByName['metrics'] !== ports.metrics) problems.push(`${name}: port metrics must be ${ports.metrics} (named for scraping)`);
    const env = containerEnv(objects, container);
    if (env['PORT'] !== String(ports.port)) problems.push(`${name}: PORT must be ${ports.port}, is ${env['PORT']}`);
    if (env['METRICS_PORT'] !== String(ports.metrics)) problems.push(`${name}: METRICS_PORT must be ${ports.metrics}, is ${env['METRICS_PORT']}`);
    if (env['METRICS_HOST'] !== '0.0.0.0') problems.push(`${name}: METRICS_HOST must be 0.0.0.0 (scraped from outside the pod)`);
    const unread = Object.keys(env).filter((v) => v !== 'NODE_ENV' && !v.startsWith('OTEL_') && !code.configVariables[name].includes(v));
    if (unread.length > 0) problems.push(`${name}: gets variables its config does not read: ${unread.join(', ')}`);
    const bus =
      transport === 'kafka'
        ? env['KAFKA_BROKERS']
        : env['KAFKA_BROKERS'] === '' && container['envFrom']?.some((s: K8sObject) => s['secretRef']?.name === 'event-bus-credentials');
    if (!bus) problems.push(`${name}: not configured for ${transport}`);

    const probe = (kind: string, path: string) => {
      const p = container[kind]?.httpGet;
      if (p?.path !== path || !(p?.port === 'http' || p?.port === ports.port)) problems.push(`${name}: ${kind} must GET ${path} on the http port`);
    };
    probe('livenessProbe', '/health/live');
    probe('readinessProbe', '/health/ready');
    const resources = container['resources'] ?? {};
    if (!resources.requests?.cpu || !resources.requests?.memory || !resources.limits?.memory)
      problems.push(`${name}: needs cpu and memory requests and a memory limit`);
    const security = container['securityContext'] ?? {};
    if (security['readOnlyRootFilesystem'] !== true) problems.push(`${name}: root filesystem must be read-only`);
    if (security['allowPrivilegeEscalation'] !== false) problems.push(`${name}: must not allow privilege escalation`);
    if (!(security['capabilities']?.drop ?? []).includes('ALL')) problems.push(`${name}: must drop all capabilities`);

    const pdb = byKind(objects, 'PodDisruptionBudget').find((p) => matches(p['spec']['selector']?.matchLabels, pod['metadata']?.labels));
    if (!pdb) problems.push(`${name}: no PodDisruptionBudget selects its pods`);
  }

  // Services select existing pods on existing ports, and none is reachable from outside the cluster.
  for (const service of byKind(objects, 'Service')) {
    const name = service['metadata'].name;
    const target = deployments.find((d) => matches(service['spec']['selector'], d['spec']['template']['metadata']?.labels));
    if (!target) problems.push(`service ${name}: selects no deployment's pods`);
    if (service['spec']['type'] && service['spec']['type'] !== 'ClusterIP')
      problems.push(`service ${name}: type ${service['spec']['type']} exposes it outside the cluster`);
    const containerPorts = (target?.['spec']['template']['spec']['containers'] ?? []).flatMap((c: K8sObject) => c['ports'] ?? []);
    for (const port of service['spec']['ports'] ?? []) {
      if (!containerPorts.some((p: K8sObject) => p['name'] === port['targetPort'] || p['containerPort'] === port['targetPort'])) {
        problems.push(`service ${name}: targetPort ${port['targetPort']} is no port of its pods`);
      }
      if (port['targetPort'] === 'metrics') problems.push(`service ${name}: exposes the metrics port`);
    }
  }

  // Only the BFF is reachable from outside: one Ingress, TLS, to the bff Service.
  const ingresses = byKind(objects, 'Ingress');
  const backends = ingresses.flatMap((i) =>
    (i['spec']['rules'] ?? []).flatMap((r: K8sObject) => (r['http']?.paths ?? []).map((p: K8sObject) => p['backend']?.service?.name)),
  );
  if (ingresses.length === 0) problems.push('no Ingress to the BFF');
  for (const backend of backends) if (backend !== 'bff') problems.push(`an Ingress routes to ${backend}: only the BFF may be exposed`);
  for (const ingress of ingresses) if (!(ingress['spec']['tls'] ?? []).length) problems.push(`ingress ${ingress['metadata'].name}: no TLS`);

  // Network policies: deny by default; only the BFF admits other namespaces on its API port.
  const policies = byKind(objects, 'NetworkPolicy');
  if (
    !policies.some(
      (p) => Object.keys(p['spec']['podSelector'] ?? {}).length === 0 && (p['spec']['policyTypes'] ?? []).includes('Ingress') && !p['spec']['ingress'],
    )
  ) {
    problems.push('no default-deny ingress NetworkPolicy');
  }
  for (const policy of policies) {
    const selected = policy['spec']['podSelector']?.matchLabels?.['app.kubernetes.io/name'];
    for (const rule of policy['spec']['ingress'] ?? []) {
      const fromOutside = (rule['from'] ?? []).some((f: K8sObject) => f['namespaceSelector'] || f['ipBlock']);
      const onlyMetrics = (rule['ports'] ?? []).length > 0 && rule['ports'].every((p: K8sObject) => p['port'] === 'metrics');
      if ((fromOutside || !rule['from']) && !onlyMetrics && selected !== 'bff')
        problems.push(`networkpolicy ${policy['metadata'].name}: admits outside traffic to ${selected ?? 'every pod'}`);
    }
  }

  // The processor scales on its backlog (KEDA), the BFF on CPU.
  const scaled = byKind(objects, 'ScaledObject').find((s) => s['spec']['scaleTargetRef']?.name === 'processor');
  if (!scaled) problems.push('processor: no KEDA ScaledObject');
  else {
    const triggers = scaled['spec']['triggers'] as K8sObject[];
    const lag = triggers.find((t) => t['type'] === transport);
    if (!lag) problems.push(`processor ScaledObject: no ${transport} trigger`);
    else if (transport === 'kafka') {
      if (lag['metadata']['consumerGroup'] !== code.processorGroup)
        problems.push(`processor ScaledObject: consumerGroup must be ${code.processorGroup}, is ${lag['metadata']['consumerGroup']}`);
      if (lag['metadata']['topic'] !== code.topic) problems.push(`processor ScaledObject: topic must be ${code.topic}, is ${lag['metadata']['topic']}`);
      const configured = named(objects, 'ConfigMap', 'event-bus') ?? byKind(objects, 'ConfigMap').find((c) => c['metadata'].name.startsWith('event-bus-'));
      if (lag['metadata']['bootstrapServers'] !== configured?.['data']?.KAFKA_BROKERS)
        problems.push("processor ScaledObject: bootstrapServers differ from the services' KAFKA_BROKERS");
    } else {
      if (lag['metadata']['queueName'] !== code.processorQueue)
        problems.push(`processor ScaledObject: queueName must be ${code.processorQueue}, is ${lag['metadata']['queueName']}`);
      const auth = named(objects, 'TriggerAuthentication', lag['authenticationRef']?.name ?? '');
      if (!auth) problems.push('processor ScaledObject: its TriggerAuthentication is missing');
    }
    if (!triggers.some((t) => t['type'] === 'cpu')) problems.push('processor ScaledObject: no cpu trigger');
  }
  const bffHpa = byKind(objects, 'HorizontalPodAutoscaler').find((h) => h['spec']['scaleTargetRef']?.name === 'bff');
  if (!bffHpa?.['spec']['metrics']?.some((m: K8sObject) => m['resource']?.name === 'cpu')) problems.push('bff: no HPA on CPU');

  // The migration: the metadata image, Prisma's migrate deploy, before metadata (which does not migrate itself).
  const job = named(objects, 'Job', 'metadata-migrate');
  const metadataImage = named(objects, 'Deployment', 'metadata')?.['spec']['template']['spec']['containers'][0]?.image;
  if (!job) problems.push('no metadata-migrate Job');
  else {
    const container = job['spec']['template']['spec']['containers'][0];
    if (container?.image !== metadataImage) problems.push('metadata-migrate: must run the metadata image');
    if (!JSON.stringify(container?.command ?? []).includes('"migrate","deploy"')) problems.push('metadata-migrate: must run prisma migrate deploy');
    if (container?.securityContext?.readOnlyRootFilesystem !== true) problems.push('metadata-migrate: root filesystem must be read-only');
  }
  const metadataEnv = named(objects, 'Deployment', 'metadata')
    ? containerEnv(objects, named(objects, 'Deployment', 'metadata')!['spec']['template']['spec']['containers'][0])
    : {};
  if (metadataEnv['MIGRATE_ON_START'] !== 'false') problems.push('metadata: MIGRATE_ON_START must be false (the Job migrates)');

  return problems;
}
