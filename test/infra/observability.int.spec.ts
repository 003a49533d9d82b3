/**
 * infra/compose's observability, checked without Docker: Prometheus' alert rules (promtool parses them and
 * the configuration that loads them; every metric they name is one the code registers or an exporter
 * compose runs provides), Grafana's data sources (Prometheus, Loki, Jaeger) on the services compose runs,
 * and the log shipper pointing at Loki. Each check is shown to fire on a broken copy.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { groupQueue } from '../../packages/event-bus/src/adapters/rabbitmq-topology.js';
import { loadCompose, type ComposeDocument } from './compose-rules.js';
import { alertRuleViolations, alertsOf, datasourceViolations, promtool, ruleFilesViolations } from './observability-rules.js';

const root = join(import.meta.dirname, '..', '..');
const composeDir = join(root, 'infra', 'compose');
const prometheusDir = join(composeDir, 'prometheus');
const configPath = join(prometheusDir, 'prometheus.yml');
const rulesPath = join(prometheusDir, 'rules', 'photo-platform.yml');
const read = (path: string) => readFileSync(path, 'utf8');
const compose = () => loadCompose(join(composeDir, 'docker-compose.yml'));

function sources(): string {
  const files: string[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group))) {
      const src = join(root, group, name, 'src');
      if (!existsSync(src)) continue;
      for (const entry of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
        const file = join(src, entry);
        if (/\.ts$/.test(file) && !/\.spec\.ts$/.test(file) && statSync(file).isFile()) files.push(file);
      }
    }
  }
  return files.map(read).join('\n');
}

/** Metrics of exporters, and the compose service (also the Prometheus job) that provides each. */
const external = { kafka_consumergroup_lag: 'kafka-exporter', rabbitmq_detailed_queue_messages_ready: 'rabbitmq', up: 'prometheus' };

describe('Prometheus alert rules', () => {
  const rules = parse(read(rulesPath)) as ComposeDocument;
  const config = parse(read(configPath)) as ComposeDocument;

  it('alert on dead letters, consumer lag (Kafka and RabbitMQ), outbox age, error rate and upload-to-ready p95, with metrics the code registers', () => {
    expect(alertRuleViolations(rules, sources(), external)).toEqual([]);
    const services = compose()['services'];
    const jobs = config['scrape_configs'].map((j: ComposeDocument) => j['job_name']);
    for (const provider of Object.values(external)) {
      expect(services[provider], provider).toBeDefined();
      expect(jobs, provider).toContain(provider);
    }
  });

  it('name the topic and the group queues the code uses', () => {
    const byName = Object.fromEntries(alertsOf(rules).map((a) => [a['alert'], String(a['expr'])]));
    expect(byName['ConsumerLagHigh']).toContain(`topic="${photoCatalogue.channel}"`);
    const queuePattern = /queue=~"([^"]+)"/.exec(byName['ConsumerQueueDepthHigh']!)![1]!.replace(/\\\\/g, '\\');
    for (const group of ['processor', 'metadata', 'upload']) expect(groupQueue(photoCatalogue.channel, group)).toMatch(new RegExp(`^(?:${queuePattern})$`));
  });

  it('are valid for Prometheus (promtool check rules) and loaded by prometheus.yml (promtool check config)', () => {
    expect(promtool(root, 'check', 'rules', rulesPath)).toMatch(/SUCCESS: \d+ rules found/);
    expect(ruleFilesViolations(configPath, config, rulesPath)).toEqual([]);
    expect(promtool(root, 'check', 'config', configPath)).toMatch(/SUCCESS: 1 rule files found/);
  });

  it('are mounted where prometheus.yml looks for them', () => {
    const prometheus = compose()['services'].prometheus;
    expect(prometheus.volumes).toContain('./prometheus/rules:/etc/prometheus/rules:ro');
    expect(prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('the checks fire on a metric nobody registers, a missing alert, a rules file not loaded, and PromQL that does not parse', () => {
    const broken = structuredClone(rules);
    const alerts = broken['groups'][0].rules as ComposeDocument[];
    alerts.find((a) => a['alert'] === 'OutboxPendingTooLong')!['expr'] = 'max(upload_outbox_age_seconds{job="upload"}) > 300';
    broken['groups'][0].rules = alerts.filter((a) => a['alert'] !== 'HighErrorRate');
    const problems = alertRuleViolations(broken, sources(), external).join('\n');
    expect(problems).toContain('alert OutboxPendingTooLong: metric upload_outbox_age_seconds is not defined in the code');
    expect(problems).toContain('alert HighErrorRate is missing');

    expect(ruleFilesViolations(configPath, { ...config, rule_files: undefined }, rulesPath)).toEqual(['prometheus.yml: no rule_files']);
    expect(ruleFilesViolations(configPath, { ...config, rule_files: ['alerts/*.yml'] }, rulesPath).join('\n')).toContain('do not load');

    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      const unparsable = structuredClone(rules);
      unparsable['groups'][0].rules[0].expr = 'sum by (job (rate(bus_dead_letters_total[5m]))';
      writeFileSync(join(dir, 'bad.yml'), stringify(unparsable));
      expect(() => promtool(root, 'check', 'rules', join(dir, 'bad.yml'))).toThrow();
      cpSync(prometheusDir, join(dir, 'prometheus'), { recursive: true });
      rmSync(join(dir, 'prometheus', 'rules'), { recursive: true });
      // A glob that matches nothing is accepted by Prometheus; our check is what catches it.
      expect(ruleFilesViolations(join(dir, 'prometheus', 'prometheus.yml'), config, rulesPath).join('\n')).toContain('do not load');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana data sources: metrics, logs and traces', () => {
  const dir = join(composeDir, 'grafana', 'provisioning', 'datasources');
  const datasources = () => readdirSync(dir).flatMap((file) => (parse(read(join(dir, file))) as ComposeDocument)['datasources'] as ComposeDocument[]);

  it('are Prometheus, Loki and Jaeger on the services compose runs, linked to each other by uid', () => {
    expect(datasourceViolations(datasources(), Object.keys(compose()['services']))).toEqual([]);
    const services = compose()['services'];
    expect(services.grafana.depends_on).toMatchObject({ loki: { condition: 'service_healthy' }, jaeger: { condition: 'service_healthy' } });
  });

  it('the check fires on a data source on no service, a link to an unknown uid, or a missing kind', () => {
    const broken = datasources().map((d) => structuredClone(d));
    broken.find((d) => d['type'] === 'loki')!['url'] = 'http://logs:3100';
    broken.find((d) => d['type'] === 'jaeger')!['jsonData'].tracesToLogsV2.datasourceUid = 'logs';
    const problems = datasourceViolations(broken, Object.keys(compose()['services'])).join('\n');
    expect(problems).toContain('data source loki: http://logs:3100 is not a compose service');
    expect(problems).toContain('data source jaeger: links to unknown data source logs');
    expect(
      datasourceViolations(
        broken.filter((d) => d['type'] !== 'jaeger'),
        ['prometheus', 'loki'],
      ),
    ).toContain('no jaeger data source');
  });
});

describe('logs reach Loki', () => {
  it("Alloy reads this compose project's containers and pushes to the loki service", () => {
    const doc = compose();
    const config = read(join(composeDir, 'alloy', 'config.alloy'));
    expect(config).toContain(`com.docker.compose.project=${doc['name']}`);
    expect(config).toContain('url = "http://loki:3100/loki/api/v1/push"');
    const alloy = doc['services'].alloy;
    expect(alloy.volumes).toContain('./alloy/config.alloy:/etc/alloy/config.alloy:ro');
    expect(alloy.command).toContain('/etc/alloy/config.alloy');
    expect(alloy.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock:ro');
  });
});
