/**
 * Alerts and dashboard against what the code exports (docs/metrics.md): the chart's PrometheusRule renders only with
 * the ServiceMonitor (or when asked), validates against the prometheus-operator CRD schema and passes
 * `promtool check rules`; the Grafana dashboard parses, is the same file in the chart and in deploy/grafana/, and ships
 * as a sidecar ConfigMap; and every metric an alert or a panel uses is on /metrics of the ingress or the processor.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildApp } from '../../ingress/app.js';
import { loadIngressConfig } from '../../ingress/config.js';
import { createOrderStatusMetrics } from '../../processor/handlers/order-status/metrics.js';
import { startHealthServer, type HealthServer } from '../../processor/health-server.js';
import { createProcessorMetrics, createProcessorRegistry } from '../../processor/metrics.js';
import { createWebhookSigner } from '../../sim/signing.js';
import {
  chartDir,
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  productionValues,
  repoRoot,
  requireTools,
  run,
  validate,
  validatorPython,
  type Manifest,
} from './support/tools.js';

const promtoolPath = [join(repoRoot, '.tools/bin/promtool')].find((p) => {
  try {
    return readFileSync(p).length > 0;
  } catch {
    return false;
  }
});
const ready = requireTools({ helm: helmPath, 'kubernetes-validate venv': validatorPython, promtool: promtoolPath });

const dashboardFile = join(chartDir, 'dashboards/fc-connector.json');
const grafanaCopy = join(repoRoot, 'deploy/grafana/fc-connector.json');

/** Metric names in a PromQL expression: identifiers followed by `{` or `[`, or standing alone, that are ours or Node's. */
function metricNames(expr: string): string[] {
  const names = expr.match(/\b(fc_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g) ?? [];
  return [...new Set(names)];
}

/** A histogram's series names (`_bucket`, `_count`, `_sum`) belong to the histogram's name. */
function baseName(name: string, exported: Set<string>): string {
  if (exported.has(name)) return name;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return exported.has(base) ? base : name;
}

/** Names on a /metrics page (`# TYPE` lines list every registered metric, even one with no sample yet). */
function exportedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
/** The chart refuses an enabled ingress without a Fluent public key; any SPKI-looking base64 will do for rendering. */
const WITH_KEY = [
  '--set',
  `ingress.fluentWebhookPublicKeys[0]=${'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7'.repeat(3)}`,
  '--set',
  'ingress.fluentAccounts[0]=ACME',
];

describe.runIf(ready)('observability: alerts, dashboard, exported metrics', () => {
  const production = ready ? parseManifests(helmTemplate(['-f', productionValues])) : [];
  const rule = byKind(production, 'PrometheusRule')[0];
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  let exported = new Set<string>();
  let health: HealthServer | undefined;

  beforeAll(async () => {
    const signer = createWebhookSigner(1024);
    const ingress = await buildApp(
      loadIngressConfig({
        FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
        FLUENT_ACCOUNTS: '*',
        LOG_LEVEL: 'silent',
      }),
      {
        producer: {
          connect: () => Promise.resolve(),
          disconnect: () => Promise.resolve(),
          checkTopic: () => Promise.resolve(),
          send: () => Promise.resolve(),
        },
        serde: { encode: () => Promise.resolve(Buffer.from('x')) },
        logger: pino({ level: 'silent' }),
        readinessChecks: {},
      },
    );
    const ingressText = (await ingress.inject({ method: 'GET', url: '/metrics' })).body;
    await ingress.close();
    // The processor's registry as main.ts builds it: runtime metrics and the order-status handler's.
    const registry = createProcessorRegistry();
    createProcessorMetrics(registry);
    createOrderStatusMetrics(registry);
    health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      live: () => true,
      notReady: () => undefined,
    });
    const processorText = await (await fetch(`http://127.0.0.1:${health.port}/metrics`)).text();
    exported = new Set([...exportedNames(ingressText), ...exportedNames(processorText)]);
  });
  afterAll(async () => {
    await health?.close();
  });

  it('serves Node default metrics under their stock names and connector metrics as fc_…', () => {
    expect(exported).toContain('process_resident_memory_bytes');
    expect(exported).toContain('nodejs_heap_size_used_bytes');
    expect([...exported].filter((n) => /^fc_(ingress|processor)_(process|nodejs)_/.test(n))).toEqual([]);
    for (const name of exported) {
      if (!name.startsWith('fc_')) continue;
      expect(name, 'Prometheus naming: base units, counters end in _total').not.toMatch(/_(ms|milliseconds|count)$/);
    }
  });

  it('renders the PrometheusRule with the ServiceMonitor, not by default, and not when switched off', () => {
    expect(byKind(parseManifests(helmTemplate(WITH_KEY)), 'PrometheusRule')).toEqual([]);
    expect(rule, 'production values turn the ServiceMonitor on').toBeDefined();
    const off = parseManifests(helmTemplate(['-f', productionValues, '--set', 'prometheusRule.enabled=false']));
    expect(byKind(off, 'PrometheusRule')).toEqual([]);
    const alerts = (rule!.spec.groups as Manifest[]).flatMap((g) => (g.rules as Manifest[]).map((r) => r.alert));
    expect(alerts).toEqual([
      'FcConnectorDlqGrowing',
      'FcConnectorProcessorPaused',
      'FcConnectorEndToEndLatencyHigh',
      'FcConnectorLagRising',
      'FcConnectorIngress5xxRatio',
      'FcConnectorNoWebhooks',
    ]);
  });

  it('takes thresholds from values', () => {
    const manifests = parseManifests(
      helmTemplate(['-f', productionValues, '--set', 'prometheusRule.thresholds.endToEndP99Seconds=42']),
    );
    const rules = (byKind(manifests, 'PrometheusRule')[0]!.spec.groups[0].rules as Manifest[]).map((r) => r.expr);
    expect(rules.some((expr) => String(expr).endsWith('> 42'))).toBe(true);
  });

  it('validates against the CRD schema and passes promtool check rules', () => {
    const rendered = helmTemplate(['-f', productionValues, '--set', 'grafanaDashboard.enabled=true']);
    const report = validate('k8s', rendered);
    expect(report.ok, describeFailures(report)).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'fc-rules-')), 'rules.yaml');
    writeFileSync(file, stringify({ groups: rule!.spec.groups }));
    const checked = run(promtoolPath!, ['check', 'rules', file]);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toContain('SUCCESS: 6 rules found');
  });

  it('fires the paused, no-webhooks and DLQ alerts on synthetic series (promtool test rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule!.spec.groups }));
    const processor = 'job="fcc-fc-connector-processor", namespace="fc"';
    const ingress = 'job="fcc-fc-connector-ingress", namespace="fc"';
    const rules = rule!.spec.groups[0].rules as Manifest[];
    const firing = (alertname: string, at: string) => {
      const { labels, annotations } = rules.find((r) => r.alert === alertname)!;
      return { eval_time: at, alertname, exp_alerts: [{ exp_labels: labels, exp_annotations: annotations }] };
    };
    const quiet = (alertname: string, at: string) => ({ eval_time: at, alertname, exp_alerts: [] });
    writeFileSync(
      join(dir, 'tests.yaml'),
      stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              // Paused from minute 5 on; the ingress sees no webhook after minute 10; the DLQ grows at minute 20.
              { series: `fc_processor_paused{${processor}}`, values: '0x4 1x40' },
              { series: `fc_ingress_requests_total{${ingress}, outcome="accepted"}`, values: '0+10x10 100x60' },
              { series: `fc_processor_dlq_records{${processor}}`, values: '0x20 3x40' },
            ],
            alert_rule_test: [
              quiet('FcConnectorProcessorPaused', '10m'),
              firing('FcConnectorProcessorPaused', '16m'),
              quiet('FcConnectorNoWebhooks', '30m'),
              firing('FcConnectorNoWebhooks', '50m'),
              quiet('FcConnectorDlqGrowing', '19m'),
              firing('FcConnectorDlqGrowing', '25m'),
            ],
          },
        ],
      }),
    );
    const tested = run(promtoolPath!, ['test', 'rules', join(dir, 'tests.yaml')]);
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
  });

  it('ships the dashboard in the chart (sidecar ConfigMap) and in deploy/grafana/, the same JSON', () => {
    expect(readFileSync(grafanaCopy, 'utf8')).toBe(readFileSync(dashboardFile, 'utf8'));
    const manifests = parseManifests(helmTemplate([...WITH_KEY, '--set', 'grafanaDashboard.enabled=true']));
    const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.endsWith('-dashboard'));
    expect(configMap?.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap!.data['fc-connector.json'] as string)).toEqual(dashboard);
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'Webhooks in (by outcome)',
        'Records processed (by outcome)',
        'End-to-end latency (ingress receipt → commercetools write)',
        'Consumer lag (by topic kind)',
        'Outage pauses',
        'DLQ size',
      ]),
    );
  });

  it('uses only metrics the services export, in every alert and every panel', () => {
    const used = new Map<string, string>();
    for (const r of rule!.spec.groups[0].rules as Manifest[]) {
      for (const name of metricNames(String(r.expr))) used.set(name, `alert ${r.alert}`);
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        for (const name of metricNames(target.expr)) used.set(name, `panel "${panel.title}"`);
      }
    }
    expect(used.size).toBeGreaterThan(8);
    const missing = [...used].filter(([name]) => !exported.has(baseName(name, exported)));
    expect(missing.map(([name, where]) => `${name} (${where})`)).toEqual([]);
  });
});
