/**
 * Helm chart checks (no cluster needed): `helm lint`, `helm template` with the default and a production-like values
 * file, every rendered manifest validated offline against the Kubernetes schemas (built-in kinds) and the vendored
 * CRD schemas (KEDA, prometheus-operator), values.schema.json rejections, and the wiring the chart promises.
 */
import { describe, expect, it } from 'vitest';
import { chartToolsReady, REQUIRED_VALUES, renderChart } from './support/chart.js';
import {
  CORE_ENV,
  SECRET_ENV,
  chartDir,
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  productionValues,
  run,
  validate,
  type Manifest,
} from './support/tools.js';

const ready = chartToolsReady();

/** The one-off CLI Job as the runbook renders it: --show-only, enabled, with a command. */
const cliJob = (args: string[] = []): string =>
  renderChart([
    '--show-only',
    'templates/job-cli.yaml',
    '--set',
    'cli.job.enabled=true',
    '--set-json',
    'cli.job.args=["offsets","reset","--to-latest","--execute"]',
    ...args,
  ]);

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
    for (const extra of [REQUIRED_VALUES, ['-f', productionValues]]) {
      const result = run(helmPath as string, ['lint', '--strict', chartDir, ...extra]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('0 chart(s) failed');
    }
  });

  describe('default values', () => {
    const manifests = ready ? parseManifests(renderChart()) : [];

    it('render manifests that validate against the Kubernetes schemas', () => {
      const report = validate('k8s', renderChart());
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
            expect(c.startupProbe.httpGet.path).toBe('/health/live');
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

  describe('rollouts, probes, state volume and image (issue 20)', () => {
    const manifests = ready ? parseManifests(renderChart()) : [];
    const container = (name: string) =>
      one(manifests, 'Deployment', `fcc-fc-connector-${name}`).spec.template.spec.containers[0];

    it('sleep in preStop on the ingress before the graceful drain, within the grace period', () => {
      const ingress = one(manifests, 'Deployment', 'fcc-fc-connector-ingress').spec.template.spec;
      expect(ingress.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
      expect(ingress.terminationGracePeriodSeconds).toBeGreaterThan(10);
      // The processor gets no traffic: no sleep by default, one when configured.
      expect(container('processor').lifecycle).toBeUndefined();
      const slow = parseManifests(renderChart(['--set', 'processor.preStopSleepSeconds=5']));
      expect(
        one(slow, 'Deployment', 'fcc-fc-connector-processor').spec.template.spec.containers[0].lifecycle.preStop,
      ).toEqual({ exec: { command: ['sleep', '5'] } });
      const message = helmFails([...REQUIRED_VALUES, '--set', 'ingress.preStopSleepSeconds=30']);
      expect(message).toContain('ingress.terminationGracePeriodSeconds (30) must exceed ingress.preStopSleepSeconds');
    });

    it('give both services a startupProbe that gates liveness and readiness', () => {
      for (const name of ['ingress', 'processor']) {
        const probe = container(name).startupProbe;
        expect(probe.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(probe.periodSeconds * probe.failureThreshold, name).toBeGreaterThanOrEqual(60);
      }
    });

    it('point FC_CONNECTOR_STATE_DIR at a writable volume in the processor pods', () => {
      const config = one(manifests, 'ConfigMap', 'fcc-fc-connector-processor');
      expect(config.data.FC_CONNECTOR_STATE_DIR).toBe('/var/lib/fc-connector');
      const pod = one(manifests, 'Deployment', 'fcc-fc-connector-processor').spec.template.spec;
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'cli-state', mountPath: '/var/lib/fc-connector' });
      expect(pod.volumes).toContainEqual({ name: 'cli-state', emptyDir: { sizeLimit: '256Mi' } });
    });

    it('pull by digest when image.digest is set, and refuse a malformed one', () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const pinned = parseManifests(renderChart(['--set', `image.digest=${digest}`, '--set', 'image.tag=1.2.3']));
      for (const d of byKind(pinned, 'Deployment')) {
        expect(d.spec.template.spec.containers[0].image).toBe(`fc-connector@${digest}`);
      }
      expect(helmFails([...REQUIRED_VALUES, '--set', 'image.digest=latest'])).toContain('/image/digest');
    });

    it('mount extra volumes into the ingress as into the processor', () => {
      const extra = parseManifests(
        renderChart([
          '--set-json',
          'ingress.extraVolumes=[{"name":"keys","configMap":{"name":"fluent-keys"}}]',
          '--set-json',
          'ingress.extraVolumeMounts=[{"name":"keys","mountPath":"/keys","readOnly":true}]',
        ]),
      );
      const pod = one(extra, 'Deployment', 'fcc-fc-connector-ingress').spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'keys', configMap: { name: 'fluent-keys' } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'keys', mountPath: '/keys', readOnly: true });
    });
  });

  describe('the one-off CLI Job (templates/job-cli.yaml)', () => {
    it('is not part of a release unless asked for', () => {
      expect(renderChart()).not.toContain('job-cli.yaml');
    });

    it('renders with --show-only, validates offline, and runs the command with the processor config and secrets', () => {
      const text = cliJob(['-f', productionValues]);
      const report = validate('k8s', text);
      expect(report.ok, describeFailures(report)).toBe(true);
      const [job] = parseManifests(text) as [Manifest];
      expect(job.kind).toBe('Job');
      expect(job.metadata.generateName).toBe('fcc-fc-connector-cli-');
      const pod = job.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      const c = pod.containers[0];
      expect(c.args).toEqual(['fc-connector', 'offsets', 'reset', '--to-latest', '--execute']);
      expect(c.envFrom[0]).toEqual({ configMapRef: { name: 'fcc-fc-connector-processor' } });
      const secretEnv = c.env.filter((e: Manifest) => e.valueFrom?.secretKeyRef).map((e: Manifest) => e.name);
      expect(secretEnv.sort()).toEqual([...SECRET_ENV].sort());
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.volumeMounts).toContainEqual({ name: 'cli-state', mountPath: '/var/lib/fc-connector' });
      expect(pod.volumes).toContainEqual({ name: 'cli-state', emptyDir: { sizeLimit: '256Mi' } });
    });

    it('keeps replay checkpoints on a PersistentVolumeClaim when cli.state.persistence is on', () => {
      const persistence = ['--set', 'cli.state.persistence.enabled=true'];
      const [job] = parseManifests(cliJob(persistence)) as [Manifest];
      expect(job.spec.template.spec.volumes).toContainEqual({
        name: 'cli-state',
        persistentVolumeClaim: { claimName: 'fcc-fc-connector-cli-state' },
      });
      const release = renderChart(persistence);
      const claim = one(parseManifests(release), 'PersistentVolumeClaim', 'fcc-fc-connector-cli-state');
      expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
      expect(claim.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      const report = validate('k8s', release);
      expect(report.ok, describeFailures(report)).toBe(true);
      // The processor pods (several, maybe on several nodes) keep an emptyDir: a ReadWriteOnce claim would pin them.
      const processor = one(parseManifests(release), 'Deployment', 'fcc-fc-connector-processor');
      expect(processor.spec.template.spec.volumes).toContainEqual({
        name: 'cli-state',
        emptyDir: { sizeLimit: '256Mi' },
      });
      const existing = ['--set', 'cli.state.persistence.existingClaim=replays'];
      const [reused] = parseManifests(cliJob([...persistence, ...existing])) as [Manifest];
      expect(reused.spec.template.spec.volumes).toContainEqual({
        name: 'cli-state',
        persistentVolumeClaim: { claimName: 'replays' },
      });
      expect(renderChart([...persistence, ...existing])).not.toContain('PersistentVolumeClaim');
    });
  });

  describe('production-like values (ci/production-values.yaml)', () => {
    const text = ready ? helmTemplate(['-f', productionValues]) : '';
    const manifests = ready ? parseManifests(text) : [];

    it('render manifests that validate against the Kubernetes and CRD schemas', () => {
      const report = validate('k8s', text);
      expect(report.ok, describeFailures(report)).toBe(true);
      const crdValidated = report.results.filter((r) => r.validator === 'crd-schema').map((r) => r.kind);
      expect(crdValidated.sort()).toEqual([
        'PrometheusRule',
        'ScaledObject',
        'ServiceMonitor',
        'TriggerAuthentication',
      ]);
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

    it('scale the processor with KEDA on consumer-group lag, with SASL credentials and the CA from the Secrets', () => {
      const so = one(manifests, 'ScaledObject', 'fcc-fc-connector-processor');
      expect(so.spec.scaleTargetRef.name).toBe('fcc-fc-connector-processor');
      expect(so.spec.triggers[0]).toMatchObject({
        type: 'kafka',
        metadata: {
          consumerGroup: 'fc-connector-prod',
          // Lag of the main topic only (paused retry tiers hold lag on purpose), counted as the consumer starts.
          topic: 'prod.fluent.webhooks',
          offsetResetPolicy: 'earliest',
          lagThreshold: '1000',
          sasl: 'scram_sha512',
          tls: 'enable',
          bootstrapServers: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096,b-3.kafka.internal:9096',
        },
        authenticationRef: { name: 'fcc-fc-connector-kafka' },
      });
      const auth = one(manifests, 'TriggerAuthentication', 'fcc-fc-connector-kafka');
      expect(auth.spec.secretTargetRef.map((r: Manifest) => `${r.parameter}=${r.name}/${r.key}`).sort()).toEqual([
        'ca=kafka-cluster-ca/ca.crt',
        'password=fc-connector-credentials/KAFKA_SASL_PASSWORD',
        'username=fc-connector-credentials/KAFKA_SASL_USERNAME',
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
    const manifests = ready ? parseManifests(renderChart(values)) : [];

    it('is off by default and validates against the Kubernetes schemas when on', () => {
      expect(byKind(parseManifests(renderChart()), 'CronJob')).toEqual([]);
      const report = validate('k8s', renderChart(values));
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
      expect(helmFails([...REQUIRED_VALUES, '--set', 'reconcile.enabled=true', '--set', setting])).toContain(expected);
    });
  });

  describe('KEDA lag options', () => {
    const trigger = (args: string[]) =>
      (parseManifests(renderChart(['--set', 'processor.keda.enabled=true', ...args])).find(
        (m) => m.kind === 'ScaledObject',
      )?.spec.triggers[0].metadata ?? {}) as Manifest;

    it('measure the main topic by default, every topic with allTopics, and can exclude persistent lag', () => {
      expect(trigger([])).toMatchObject({ topic: 'fluent.webhooks', offsetResetPolicy: 'earliest' });
      expect(trigger([])).not.toHaveProperty('excludePersistentLag');
      const all = trigger([
        '--set',
        'processor.keda.allTopics=true',
        '--set',
        'processor.keda.excludePersistentLag=true',
      ]);
      expect(all).not.toHaveProperty('topic');
      expect(all.excludePersistentLag).toBe('true');
    });

    const triggerAuth = (args: string[]) =>
      parseManifests(renderChart(['--set', 'processor.keda.enabled=true', ...args])).find(
        (m) => m.kind === 'TriggerAuthentication',
      );
    const refs = (auth: Manifest | undefined) =>
      Object.fromEntries(
        ((auth?.spec.secretTargetRef ?? []) as { parameter: string; name: string; key: string }[]).map((r) => [
          r.parameter,
          `${r.name}/${r.key}`,
        ]),
      );

    it('authenticate KEDA with the Kafka TLS CA and client certificate as well as SASL (mTLS, SCRAM over TLS)', () => {
      const tls = ['--set', 'kafka.ssl=true', '--set', 'kafka.tls.secretName=kafka-tls'];
      const mtls = [...tls, '--set', 'kafka.tls.certKey=user.crt', '--set', 'kafka.tls.keyKey=user.key'];
      expect(refs(triggerAuth(mtls))).toEqual({
        ca: 'kafka-tls/ca.crt',
        cert: 'kafka-tls/user.crt',
        key: 'kafka-tls/user.key',
      });
      const scram = [
        ...tls,
        '--set',
        'kafka.sasl.mechanism=scram-sha-512',
        '--set',
        'credentials.values.KAFKA_SASL_USERNAME=fc',
        '--set',
        'credentials.values.KAFKA_SASL_PASSWORD=secret',
      ];
      expect(refs(triggerAuth(scram))).toEqual({
        username: 'fcc-fc-connector/KAFKA_SASL_USERNAME',
        password: 'fcc-fc-connector/KAFKA_SASL_PASSWORD',
        ca: 'kafka-tls/ca.crt',
      });
      expect(trigger(scram)).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
      // Plain TLS to a public CA (Confluent Cloud, MSK) needs no TriggerAuthentication at all.
      expect(triggerAuth(['--set', 'kafka.ssl=true'])).toBeUndefined();
    });
  });

  describe('values.schema.json', () => {
    it('refuses an enabled ingress without a Fluent public key (helm install fails, not the pod)', () => {
      const message = helmFails([]);
      expect(message).toContain("values don't meet the specifications of the schema");
      expect(message).toContain('/ingress/fluentWebhookPublicKeys');
      expect(() => helmTemplate(['--set', 'ingress.enabled=false'])).not.toThrow();
    });

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
      const message = helmFails([...REQUIRED_VALUES, '--set', setting]);
      expect(message).toContain("values don't meet the specifications of the schema");
      expect(message).toContain(expected);
    });

    it('accepts the documented alternatives', () => {
      expect(() =>
        renderChart([
          '--set',
          'processor.orderCorrelation.mode=attribute',
          '--set',
          'processor.orderCorrelation.attribute=ctOrderNumber',
          '--set',
          'kafka.sasl.mechanism=plain',
          '--set',
          'kafka.ssl=true',
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
