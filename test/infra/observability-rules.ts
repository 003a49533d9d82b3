/**
 * Checks of the observability files of infra/compose: Prometheus alert rules (metric names against the code
 * and the exporters compose runs), prometheus.yml loading them, and Grafana's data sources pointing at the
 * services compose runs. Like compose-rules.ts, every check returns the broken rules, so a test can assert
 * "none" on the real files and show each check firing on a broken copy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { metricsIn, type ComposeDocument } from './compose-rules.js';

/** What each alert of the brief watches: an alert name per concern. */
export const requiredAlerts = ['DeadLettersGrowing', 'ConsumerLagHigh', 'ConsumerQueueDepthHigh', 'OutboxPendingTooLong', 'HighErrorRate', 'UploadToReadySlow'];

/** Every alerting rule of a rules file: (group, alert, expr, for, labels, annotations). */
export function alertsOf(rules: ComposeDocument): ComposeDocument[] {
  return ((rules['groups'] ?? []) as ComposeDocument[]).flatMap((group) => ((group['rules'] ?? []) as ComposeDocument[]).filter((rule) => rule['alert']));
}

/**
 * Every alert must select metrics by name{...}, each registered by our code (a quoted name in `sources`,
 * histograms by their base name) or provided by an exporter in `external`; have a severity and a summary;
 * and the required alerts must all be there.
 */
export function alertRuleViolations(rules: ComposeDocument, sources: string, external: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const alerts = alertsOf(rules);
  const names = alerts.map((a) => String(a['alert']));
  for (const required of requiredAlerts) if (!names.includes(required)) problems.push(`alert ${required} is missing`);
  if (new Set(names).size !== names.length) problems.push('duplicate alert names');
  for (const alert of alerts) {
    const name = String(alert['alert']);
    const expr = String(alert['expr'] ?? '');
    const metrics = metricsIn(expr);
    if (metrics.length === 0) problems.push(`alert ${name}: selects no metric by name{...}: ${expr}`);
    for (const metric of metrics) {
      if (metric in external) continue;
      const base = metric.replace(/_(bucket|count|sum)$/, '');
      if (![metric, base].some((m) => sources.includes(`'${m}'`) || sources.includes(`"${m}"`))) {
        problems.push(`alert ${name}: metric ${metric} is not defined in the code`);
      }
    }
    if (!['warning', 'critical'].includes(alert['labels']?.['severity'])) problems.push(`alert ${name}: labels.severity must be warning or critical`);
    if (!alert['annotations']?.['summary']) problems.push(`alert ${name}: no annotations.summary`);
  }
  return problems;
}

/** prometheus.yml must name rule files, and its globs (relative to the file, as Prometheus reads them) must find `rulesFile`. */
export function ruleFilesViolations(configPath: string, config: ComposeDocument, rulesFile: string): string[] {
  const globs = (config['rule_files'] ?? []) as string[];
  if (globs.length === 0) return ['prometheus.yml: no rule_files'];
  // Prometheus globs only the last path element (filepath.Glob); Node 20 has no fs.glob, so: that element's `*` and `?`.
  const found = globs.flatMap((pattern) => {
    const dir = resolve(dirname(configPath), dirname(pattern));
    const element = new RegExp(
      `^${pattern
        .split('/')
        .pop()!
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((file) => element.test(file))
          .map((file) => join(dir, file))
      : [];
  });
  return found.includes(resolve(rulesFile)) ? [] : [`prometheus.yml: rule_files ${JSON.stringify(globs)} do not load ${rulesFile}`];
}

/** Runs promtool (Prometheus' own parser of rules and configuration); returns its output, throws on failure. */
export function promtool(root: string, ...args: string[]): string {
  const binary = execFileSync(join(root, 'scripts', 'ensure-promtool.sh'), { encoding: 'utf8' }).trim();
  return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Grafana's data sources: unique uids, URLs on compose services, cross-links (derived fields, traces to logs) to existing uids. */
export function datasourceViolations(datasources: ComposeDocument[], composeServices: readonly string[]): string[] {
  const problems: string[] = [];
  const uids = datasources.map((d) => String(d['uid']));
  if (new Set(uids).size !== uids.length) problems.push(`duplicate data source uids: ${uids.join(', ')}`);
  for (const source of datasources) {
    const host = URL.canParse(source['url']) ? new URL(source['url']).hostname : undefined;
    if (!host || !composeServices.includes(host)) problems.push(`data source ${source['uid']}: ${source['url']} is not a compose service`);
    const links = [
      ...((source['jsonData']?.['derivedFields'] ?? []) as ComposeDocument[]).map((f) => f['datasourceUid']),
      source['jsonData']?.['tracesToLogsV2']?.['datasourceUid'],
    ].filter((uid) => uid !== undefined);
    for (const uid of links) if (!uids.includes(uid)) problems.push(`data source ${source['uid']}: links to unknown data source ${uid}`);
  }
  for (const type of ['prometheus', 'loki', 'jaeger']) {
    if (!datasources.some((d) => d['type'] === type)) problems.push(`no ${type} data source`);
  }
  return problems;
}
