/**
 * Helm chart checks (no cluster needed): `helm lint`, `helm template` with the default and a production-like values
 * file, every rendered manifest validated offline against the Kubernetes schemas (built-in kinds) and the vendored
 * CRD schemas (KEDA, prometheus-operator), values.schema.json rejections, and the wiring the chart promises.
 */
import { describe, expect, it } from 'vitest';
import {
  CORE_ENV,
  SECRET_ENV,
  chartDir,
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  productionValues,
  requireTools,
  run,
  validate,
  validatorPython,
  type Manifest,
} from './support/tools.js';

const ready = requireTools({ helm: helmPath, 'kubernetes-validate venv': validatorPython });

const byKind = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const one = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
  if (!found)
    throw new Error(
      `${kind}/${name} not rendered; have ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`,
    );
  return found;
};

/** Every env var name a Deployment's container gets: ConfigMap keys (envFrom) plus explicit env entries. */
function envNames(manifests: Manifest[], deployment: Manifest): Set<string> {
  const container = deployment.spec.template.spec.containers[0];
  const names = new Set<string>((container.env ?? []).map((e: Manifest) => e.name));
  for (const source of container.envFrom ?? []) {
    const cm = source.configMapRef && one(manifests, 'ConfigMap', source.configMapRef.name);
    Object.keys(cm?.data ?? {}).forEach((k) => names.add(k));
  }
  return names;
}

function helmFails(args: string[]): string {
  try {
    helmTemplate(args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error(`helm template ${args.join(' ')} succeeded but should have been rejected`);
}

describe.runIf(ready)('Helm chart deploy/helm/fc-connector', () => {
  it('passes helm lint --strict with default and production values', () => {
    for (const extra of [[], ['-f', productionValues]]) {
      const result = run(helmPath as string, ['lint', '--strict', chartDir, ...extra]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('0 chart(s) failed');
    }
  });

  describe('default values', () => {
    const manifests = ready ? parseManifests(helmTemplate()) : [];

    it('render manifests that validate against the Kubernetes schemas', () => {
      const report = validate('k8s', helmTemplate());
      expect(report.ok, describeFailures(report)).toBe(true);
      expect(report.results.every((r) => r.validator === 'kubernetes-validate')).toBe(true);
      expect(report.results.length).toBe(manifests.length);
    });

    it('render both services, HPA, PDBs, NetworkPolicies and the topic hook Job; optional CRDs off', () => {
      const kinds = manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
      expect(kinds).toEqual(
        [
          'ConfigMap/fcc-fc-connector-ingress',
          'ConfigMap/fcc-fc-connector-processor',
          'Deployment/fcc-fc-connector-ingress',
          'Deployment/fcc-fc-connector-processor',
          'HorizontalPodAutoscaler/fcc-fc-connector-ingress',
          'Job/fcc-fc-connector-topics',
          'NetworkPolicy/fcc-fc-connector-ingress',
          'NetworkPolicy/fcc-fc-connector-processor',
          'PodDisruptionBudget/fcc-fc-connector-ingress',
          'PodDisruptionBudget/fcc-fc-connector-processor',
          'Secret/fcc-fc-connector',
          'Service/fcc-fc-connector-ingress',
          'Service/fcc-fc-connector-processor',
          'ServiceAccount/fcc-fc-connector',
        ].sort(),
      );
    });

    it('run hardened containers with health probes on /health/live and /health/ready', () => {
      for (const workload of [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')]) {
        const pod = workload.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.automountServiceAccountToken).toBe(false);
        for (const c of pod.containers) {
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.resources.requests).toBeDefined();
          if (workload.kind === 'Deployment') {
            expect(c.livenessProbe.httpGet.path).toBe('/health/live');
            expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
          }
        }
      }
    });

    it('provision topics in a pre-install/pre-upgrade hook before the services start', () => {
      const job = one(manifests, 'Job', 'fcc-fc-connector-topics');
      expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const c = job.spec.template.spec.containers[0];
      expect(c.args.slice(0, 3)).toEqual(['fc-connector', 'topics', 'create']);
      // Settings inline: the release's ConfigMaps do not exist yet when a pre-install hook runs.
      expect(c.envFrom).toBeUndefined();
      const env = new Map<string, string>(c.env.map((e: Manifest) => [e.name, e.value]));
      expect(env.get('TOPIC_WEBHOOKS')).toBe('fluent.webhooks');
      expect(env.get('RETRY_DELAYS')).toBe('5s,1m,10m');
    });
  });

  describe('production-like values (ci/production-values.yaml)', () => {
    const text = ready ? helmTemplate(['-f', productionValues]) : '';
    const manifests = ready ? parseManifests(text) : [];

    it('render manifests that validate against the Kubernetes and CRD schemas', () => {
      const report = validate('k8s', text);
      expect(report.ok, describeFailures(report)).toBe(true);
      const crdValidated = report.results.filter((r) => r.validator === 'crd-schema').map((r) => r.kind);
      expect(crdValidated.sort()).toEqual(['ScaledObject', 'ServiceMonitor', 'TriggerAuthentication']);
    });

    it('wire every core variable of docs/configuration.md, credentials only from the existing Secret', () => {
      const ingress = envNames(manifests, one(manifests, 'Deployment', 'fcc-fc-connector-ingress'));
      const processor = envNames(manifests, one(manifests, 'Deployment', 'fcc-fc-connector-processor'));
      for (const name of [...CORE_ENV.common, ...CORE_ENV.ingress]) expect(ingress, name).toContain(name);
      for (const name of [...CORE_ENV.common, ...CORE_ENV.processor]) expect(processor, name).toContain(name);
      // Least privilege: the ingress never sees Fluent or commercetools credentials.
      for (const name of ['FLUENT_CLIENT_SECRET', 'FLUENT_PASSWORD', 'CT_CLIENT_SECRET']) {
        expect(ingress.has(name), name).toBe(false);
      }
      for (const cm of byKind(manifests, 'ConfigMap')) {
        for (const name of SECRET_ENV) expect(Object.keys(cm.data), `${name} in ConfigMap`).not.toContain(name);
      }
      expect(byKind(manifests, 'Secret')).toEqual([]);
      const refs = manifests
        .flatMap((m) => m.spec?.template?.spec?.containers ?? [])
        .flatMap((c: Manifest) => c.env ?? [])
        .filter((e: Manifest) => e.valueFrom?.secretKeyRef);
      expect(refs.length).toBeGreaterThan(0);
      for (const e of refs) {
        expect(SECRET_ENV).toContain(e.name);
        expect(e.valueFrom.secretKeyRef).toEqual({ name: 'fc-connector-credentials', key: e.name });
      }
    });

    it('expose only the webhook path through a TLS Ingress', () => {
      const ingress = one(manifests, 'Ingress', 'fcc-fc-connector');
      expect(ingress.spec.tls).toEqual([{ secretName: 'fluent-webhooks-tls', hosts: ['fluent-webhooks.example.com'] }]);
      expect(ingress.spec.rules).toHaveLength(1);
      expect(ingress.spec.rules[0].http.paths).toEqual([
        {
          path: '/api/v1/fluent-connect/webhook',
          pathType: 'Exact',
          backend: { service: { name: 'fcc-fc-connector-ingress', port: { name: 'http' } } },
        },
      ]);
    });

    it('scale the processor with KEDA on consumer-group lag, with SASL credentials from the Secret', () => {
      const so = one(manifests, 'ScaledObject', 'fcc-fc-connector-processor');
      expect(so.spec.scaleTargetRef.name).toBe('fcc-fc-connector-processor');
      expect(so.spec.triggers[0]).toMatchObject({
        type: 'kafka',
        metadata: {
          consumerGroup: 'fc-connector-prod',
          lagThreshold: '1000',
          sasl: 'scram_sha512',
          tls: 'enable',
          bootstrapServers: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096,b-3.kafka.internal:9096',
        },
        authenticationRef: { name: 'fcc-fc-connector-kafka' },
      });
      const auth = one(manifests, 'TriggerAuthentication', 'fcc-fc-connector-kafka');
      expect(auth.spec.secretTargetRef.map((r: Manifest) => r.key).sort()).toEqual([
        'KAFKA_SASL_PASSWORD',
        'KAFKA_SASL_USERNAME',
      ]);
      // KEDA owns the replica count.
      expect(one(manifests, 'Deployment', 'fcc-fc-connector-processor').spec.replicas).toBeUndefined();
    });

    it('scrape both components with a ServiceMonitor and restrict traffic with NetworkPolicies', () => {
      const sm = one(manifests, 'ServiceMonitor', 'fcc-fc-connector');
      expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
      expect(sm.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
      const selected = byKind(manifests, 'Service').filter((s) =>
        sm.spec.selector.matchExpressions[0].values.includes(s.metadata.labels['app.kubernetes.io/component']),
      );
      expect(selected.map((s) => s.metadata.name).sort()).toEqual([
        'fcc-fc-connector-ingress',
        'fcc-fc-connector-processor',
      ]);
      const np = one(manifests, 'NetworkPolicy', 'fcc-fc-connector-processor');
      expect(np.spec.egress[1].ports.map((p: Manifest) => p.port)).toEqual([443, 9096]);
    });
  });

  describe('reconcile CronJob (reconcile.enabled)', () => {
    const values = ['--set', 'reconcile.enabled=true', '--set', 'reconcile.retailers={1,2}'];
    const manifests = ready ? parseManifests(helmTemplate(values)) : [];

    it('is off by default and validates against the Kubernetes schemas when on', () => {
      expect(byKind(parseManifests(helmTemplate()), 'CronJob')).toEqual([]);
      const report = validate('k8s', helmTemplate(values));
      expect(report.ok, describeFailures(report)).toBe(true);
    });

    it('runs `reconcile --since <window>` nightly, never two at once, with the processor settings and Fluent credentials', () => {
      const cron = one(manifests, 'CronJob', 'fcc-fc-connector-reconcile');
      expect(cron.spec).toMatchObject({ schedule: '30 2 * * *', concurrencyPolicy: 'Forbid' });
      const pod = cron.spec.jobTemplate.spec.template.spec;
      expect(pod.restartPolicy).toBe('OnFailure');
      const c = pod.containers[0];
      expect(c.args).toEqual([
        'fc-connector',
        'reconcile',
        '--since',
        '26h',
        '--page-size',
        '1000',
        '--retailer',
        '1,2',
      ]);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
      const env = envNames(manifests, { spec: { template: { spec: pod } } });
      for (const name of [
        'FLUENT_BASE_URL',
        'FLUENT_CLIENT_ID',
        'FLUENT_PASSWORD',
        'KAFKA_BROKERS',
        'TOPIC_WEBHOOKS',
      ]) {
        expect(env.has(name), name).toBe(true);
      }
      expect(c.env.find((e: Manifest) => e.name === 'FC_CONNECTOR_STATE_DIR')?.value).toBe('/tmp/fc-connector');
    });

    it.each([
      ['reconcile.window=26 hours', '/reconcile/window'],
      ['reconcile.pageSize=6000', '/reconcile/pageSize'],
    ])('rejects --set %s naming %s', (setting, expected) => {
      expect(helmFails(['--set', 'reconcile.enabled=true', '--set', setting])).toContain(expected);
    });
  });

  describe('values.schema.json', () => {
    it.each([
      ['logLevel=verbose', '/logLevel'],
      ['kafka.sasl.mechanism=gssapi', '/kafka/sasl/mechanism'],
      ['kafka.brokers[0]=kafka-without-port', '/kafka/brokers/0'],
      ['processor.retryDelays=5 seconds', '/processor/retryDelays'],
      ['processor.orderCorrelation.mode=strip-prefix', '/processor/orderCorrelation/prefix'],
      ['processor.unknownMessagePolicy=ignore', '/processor/unknownMessagePolicy'],
      ['ingress.port=70000', '/ingress/port'],
      ['ingress.autoscaling.targetCPUUtilizationPercentage=0', 'targetCPUUtilizationPercentage'],
      ['processor.keda.lagThreshold=0', '/processor/keda/lagThreshold'],
      ['ingress.podDisruptionBudget.maxUnavailable=1', '/ingress/podDisruptionBudget'],
      ['kafka.sasl.mechanism=plain', 'KAFKA_SASL_PASSWORD'],
      ['schemaRegistry.basicAuth=true', 'SCHEMA_REGISTRY_PASSWORD'],
      ['procesor.enabled=false', 'procesor'],
    ])('rejects --set %s naming %s', (setting, expected) => {
      const message = helmFails(['--set', setting]);
      expect(message).toContain("values don't meet the specifications of the schema");
      expect(message).toContain(expected);
    });

    it('accepts the documented alternatives', () => {
      expect(() =>
        helmTemplate([
          '--set',
          'processor.orderCorrelation.mode=attribute',
          '--set',
          'processor.orderCorrelation.attribute=ctOrderNumber',
          '--set',
          'kafka.sasl.mechanism=plain',
          '--set',
          'credentials.existingSecret=my-creds',
          '--set',
          'ingress.podDisruptionBudget.minAvailable=null',
          '--set',
          'ingress.podDisruptionBudget.maxUnavailable=1',
        ]),
      ).not.toThrow();
    });
  });

  describe('the offline validator itself', () => {
    it('rejects a mistyped built-in field, an unknown CRD field and a kind without schema', () => {
      const text = helmTemplate(['-f', productionValues])
        .replace('containerPort: 8080', 'containerPort: "8080"')
        .replace('cooldownPeriod: 120', 'cooldownPeriod: 120\n  cooldown: 5');
      const extra = '---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
      const report = validate('k8s', text + extra);
      expect(report.ok).toBe(false);
      const failures = report.results.filter((r) => r.status !== 'valid');
      expect(failures.map((r) => `${r.kind}:${r.status}`).sort()).toEqual([
        'Deployment:invalid',
        'ScaledObject:invalid',
        'Widget:no-schema',
      ]);
      expect(failures.find((r) => r.kind === 'Deployment')?.errors?.join()).toContain('containerPort');
      expect(failures.find((r) => r.kind === 'ScaledObject')?.errors?.join()).toContain("'cooldown' was unexpected");
    });
  });
});
