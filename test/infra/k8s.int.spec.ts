/**
 * infra/k8s, checked without a cluster: each overlay built by kustomize (kubectl kustomize), every object
 * validated against the Kubernetes and KEDA schemas (kubernetes-models, @kubernetes-models/keda), then our
 * rules (test/infra/k8s-rules.ts), whose facts (consumer group, topic, queue, config variables) are read
 * from the code. Each rule is shown to fire on a broken copy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import type { TObject } from 'typebox';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupQueue } from '../../packages/event-bus/src/adapters/rabbitmq-topology.js';
import { k8sRuleViolations, kustomize, schemaViolations, services, type CodeFacts, type K8sObject, type ServiceName } from './k8s-rules.js';

const root = join(import.meta.dirname, '..', '..');
const k8s = join(root, 'infra', 'k8s');

/** The processor's consumer group, as its code names it (`group: '...'` in its sources). */
function processorGroup(): string {
  const src = join(root, 'services', 'processor', 'src');
  const groups = new Set<string>();
  for (const entry of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    const file = join(src, entry);
    if (!/\.ts$/.test(file) || /\.spec\.ts$/.test(file) || !statSync(file).isFile()) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/\bgroup:\s*'([^']+)'/g)) groups.add(match[1]!);
  }
  if (groups.size !== 1) throw new Error(`expected one consumer group in the processor's code, found ${[...groups].join(', ') || 'none'}`);
  return [...groups][0]!;
}

let code: CodeFacts;

beforeAll(async () => {
  const configVariables = {} as Record<ServiceName, string[]>;
  for (const name of Object.keys(services) as ServiceName[]) {
    const module = (await import(join(root, 'services', name, 'src', 'config.ts'))) as Record<string, unknown>;
    const schema = Object.entries(module).find(([key]) => key.endsWith('ConfigSchema'))?.[1] as TObject;
    configVariables[name] = Object.keys(schema.properties);
  }
  const group = processorGroup();
  code = { processorGroup: group, topic: photoCatalogue.channel, processorQueue: groupQueue(photoCatalogue.channel, group), configVariables };
});

const overlays = ['kafka', 'rabbitmq'] as const;
const rendered = Object.fromEntries(overlays.map((o) => [o, kustomize(join(k8s, 'overlays', o))])) as Record<(typeof overlays)[number], K8sObject[]>;

describe.each(overlays)('infra/k8s/overlays/%s', (overlay) => {
  it('builds, and every object is valid against the Kubernetes and KEDA schemas', async () => {
    const objects = rendered[overlay];
    expect(objects.length).toBeGreaterThan(20);
    expect(await schemaViolations(objects)).toEqual([]);
  });

  it('keeps the rules: probes, ports, resources, non-root read-only pods, PDBs, only the BFF exposed, KEDA on the real group', () => {
    expect(k8sRuleViolations(rendered[overlay], overlay, code)).toEqual([]);
  });
});

describe('the checks fire on a broken copy', () => {
  const kafka = () => structuredClone(rendered.kafka);
  const rabbit = () => structuredClone(rendered.rabbitmq);
  const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o['kind'] === kind && o['metadata'].name === name)!;
  const container = (objects: K8sObject[], name: string) => find(objects, 'Deployment', name)['spec']['template']['spec']['containers'][0];

  it('schema: a misspelt field, a wrong type, a KEDA trigger without type', async () => {
    const objects = kafka();
    container(objects, 'bff').readinessProbe.httpGet.port = { name: 'http' };
    find(objects, 'Deployment', 'upload')['spec']['replicas'] = 'two';
    delete find(objects, 'ScaledObject', 'processor')['spec']['triggers'][0].type;
    const problems = (await schemaViolations(objects)).join('\n');
    expect(problems).toContain('Deployment bff');
    expect(problems).toContain('Deployment upload');
    expect(problems).toContain('ScaledObject processor');
  });

  const mutations: Array<[string, 'kafka' | 'rabbitmq', (objects: K8sObject[]) => void, string]> = [
    [
      'a readiness probe on the wrong path',
      'kafka',
      (o) => (container(o, 'metadata').readinessProbe.httpGet.path = '/health'),
      'metadata: readinessProbe must GET /health/ready',
    ],
    [
      'a liveness probe on the metrics port',
      'kafka',
      (o) => (container(o, 'upload').livenessProbe.httpGet.port = 'metrics'),
      'upload: livenessProbe must GET /health/live',
    ],
    ['an unnamed metrics port', 'kafka', (o) => delete container(o, 'processor').ports[1].name, 'processor: port metrics must be 9302'],
    ['an unpinned image', 'kafka', (o) => (container(o, 'bff').image = 'photo-platform/bff:latest'), 'bff: image must be photo-platform/bff pinned'],
    [
      'a writable root filesystem',
      'kafka',
      (o) => (container(o, 'processor').securityContext.readOnlyRootFilesystem = false),
      'processor: root filesystem must be read-only',
    ],
    [
      'a pod that may run as root',
      'kafka',
      (o) => delete find(o, 'Deployment', 'upload')['spec']['template']['spec']['securityContext'].runAsNonRoot,
      'upload: pod must set runAsNonRoot',
    ],
    ['no memory limit', 'kafka', (o) => delete container(o, 'metadata').resources.limits, 'metadata: needs cpu and memory requests'],
    [
      'a selector that misses its pods',
      'kafka',
      (o) => (find(o, 'Deployment', 'bff')['spec']['selector'].matchLabels['app.kubernetes.io/name'] = 'web'),
      'bff: selector does not match',
    ],
    [
      'a service selecting nothing',
      'kafka',
      (o) => (find(o, 'Service', 'metadata')['spec']['selector'] = { app: 'meta' }),
      'service metadata: selects no deployment',
    ],
    ['an internal service made public', 'kafka', (o) => (find(o, 'Service', 'upload')['spec']['type'] = 'LoadBalancer'), 'service upload: type LoadBalancer'],
    [
      'an Ingress to metadata',
      'kafka',
      (o) => (find(o, 'Ingress', 'bff')['spec']['rules'][0].http.paths[0].backend.service.name = 'metadata'),
      'only the BFF may be exposed',
    ],
    ['an Ingress without TLS', 'kafka', (o) => delete find(o, 'Ingress', 'bff')['spec']['tls'], 'ingress bff: no TLS'],
    ['no PDB for the processor', 'kafka', (o) => o.splice(o.indexOf(find(o, 'PodDisruptionBudget', 'processor')), 1), 'processor: no PodDisruptionBudget'],
    ['no default deny', 'kafka', (o) => o.splice(o.indexOf(find(o, 'NetworkPolicy', 'default-deny-ingress')), 1), 'no default-deny ingress NetworkPolicy'],
    [
      'metadata open to other namespaces',
      'kafka',
      (o) => (find(o, 'NetworkPolicy', 'metadata-from-bff')['spec']['ingress'][0].from = [{ namespaceSelector: {} }]),
      'admits outside traffic to metadata',
    ],
    [
      'KEDA on another group',
      'kafka',
      (o) => (find(o, 'ScaledObject', 'processor')['spec']['triggers'][0].metadata.consumerGroup = 'processors'),
      'consumerGroup must be processor',
    ],
    [
      'KEDA on another topic',
      'kafka',
      (o) => (find(o, 'ScaledObject', 'processor')['spec']['triggers'][0].metadata.topic = 'photos'),
      'topic must be photo-events',
    ],
    [
      'KEDA on another queue',
      'rabbitmq',
      (o) => (find(o, 'ScaledObject', 'processor')['spec']['triggers'][0].metadata.queueName = 'photo-events'),
      'queueName must be photo-events.processor',
    ],
    ['no cpu fallback trigger', 'rabbitmq', (o) => find(o, 'ScaledObject', 'processor')['spec']['triggers'].pop(), 'no cpu trigger'],
    ['no BFF autoscaler', 'kafka', (o) => o.splice(o.indexOf(find(o, 'HorizontalPodAutoscaler', 'bff')), 1), 'bff: no HPA on CPU'],
    [
      'a variable the service does not read',
      'kafka',
      (o) => container(o, 'processor').env.push({ name: 'DATABASE_URL', value: 'x' }),
      'processor: gets variables its config does not read: DATABASE_URL',
    ],
    ['metrics on the API port', 'kafka', (o) => container(o, 'bff').env.push({ name: 'METRICS_PORT', value: '3000' }), 'bff: METRICS_PORT must be 9300'],
    [
      'the migration from another image',
      'kafka',
      (o) => (find(o, 'Job', 'metadata-migrate')['spec']['template']['spec']['containers'][0].image = 'postgres:17'),
      'metadata-migrate: must run the metadata image',
    ],
    [
      'metadata migrating itself too',
      'kafka',
      (o) => container(o, 'metadata').env.push({ name: 'MIGRATE_ON_START', value: 'true' }),
      'metadata: MIGRATE_ON_START must be false',
    ],
  ];

  it.each(mutations)('rules: %s', (_name, overlay, mutate, expected) => {
    const objects = overlay === 'kafka' ? kafka() : rabbit();
    mutate(objects);
    expect(k8sRuleViolations(objects, overlay, code).join('\n')).toContain(expected);
  });
});
