/**
 * The chart's connection security (issue 19): TLS material mounted from Secrets into both services and every CLI
 * job, OAUTHBEARER credentials from the Secret, auto-register off with an optional `schemas register` hook Job,
 * FLUENT_ACCOUNTS required, and the values schema refusing contradictory combinations.
 */
import { describe, expect, it } from 'vitest';
import { chartToolsReady, renderChart, renderValidated } from './support/chart.js';
import { parseManifests, type Manifest } from './support/tools.js';

const ready = chartToolsReady();
const MTLS = [
  '--set',
  'kafka.ssl=true',
  '--set',
  'kafka.tls.secretName=kafka-user',
  '--set',
  'kafka.tls.certKey=user.crt',
  '--set',
  'kafka.tls.keyKey=user.key',
  '--set',
  'schemaRegistry.url=https://registry.example/apis/ccompat/v7',
  '--set',
  'schemaRegistry.tls.secretName=registry-ca',
  '--set',
  'schemaRegistration.enabled=true',
  '--set',
  'reconcile.enabled=true',
];

const containersOf = (m: Manifest): Manifest[] =>
  (m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec).containers;
const volumesOf = (m: Manifest): Manifest[] =>
  (m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec).volumes;
const envOf = (c: Manifest): Record<string, string> =>
  Object.fromEntries((c.env ?? []).filter((e: Manifest) => 'value' in e).map((e: Manifest) => [e.name, e.value]));

function problems(args: string[]): string {
  try {
    renderChart(args);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the values schema to refuse these values');
}

describe.runIf(ready)('Helm chart: connection security', () => {
  it('mounts the Kafka and registry TLS Secrets into both services, the topics, schemas and reconcile jobs', () => {
    const manifests = renderValidated(MTLS);
    const workloads = manifests.filter((m) => ['Deployment', 'Job', 'CronJob'].includes(m.kind));
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([
      'fcc-fc-connector-ingress',
      'fcc-fc-connector-processor',
      'fcc-fc-connector-reconcile',
      'fcc-fc-connector-schemas',
      'fcc-fc-connector-topics',
    ]);
    for (const workload of workloads) {
      const name = workload.metadata.name as string;
      expect(volumesOf(workload), name).toContainEqual({
        name: 'kafka-tls',
        secret: { secretName: 'kafka-user', defaultMode: 0o440 },
      });
      expect(volumesOf(workload), name).toContainEqual({
        name: 'registry-tls',
        secret: { secretName: 'registry-ca', defaultMode: 0o440 },
      });
      expect(containersOf(workload)[0]!.volumeMounts, name).toContainEqual({
        name: 'kafka-tls',
        mountPath: '/etc/fc-connector/kafka-tls',
        readOnly: true,
      });
    }
    const config = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'fcc-fc-connector-ingress')!;
    expect(config.data).toMatchObject({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/fc-connector/kafka-tls/ca.crt',
      KAFKA_SSL_CERT_FILE: '/etc/fc-connector/kafka-tls/user.crt',
      KAFKA_SSL_KEY_FILE: '/etc/fc-connector/kafka-tls/user.key',
      SCHEMA_REGISTRY_CA_FILE: '/etc/fc-connector/registry-tls/ca.crt',
      SCHEMA_REGISTRY_AUTO_REGISTER: 'false',
      FLUENT_ACCOUNTS: 'ACME',
    });
    const schemas = workloads.find((w) => w.metadata.name === 'fcc-fc-connector-schemas')!;
    expect(schemas.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(schemas.metadata.annotations['helm.sh/hook-weight'])).toBeGreaterThan(0);
    expect(containersOf(schemas)[0]!.args).toEqual(['fc-connector', 'schemas', 'register']);
    expect(envOf(containersOf(schemas)[0]!)).toMatchObject({
      KAFKA_SSL_KEY_FILE: '/etc/fc-connector/kafka-tls/user.key',
    });
  });

  it('OAUTHBEARER: token endpoint in the ConfigMap, client id and secret only from the Secret', () => {
    const manifests = parseManifests(
      renderChart([
        '--set',
        'kafka.ssl=true',
        '--set',
        'kafka.sasl.mechanism=oauthbearer',
        '--set',
        'kafka.sasl.oauthbearer.tokenUrl=https://idp.example/oauth2/token',
        '--set',
        'kafka.sasl.oauthbearer.extensions=logicalCluster=lkc-1\\,identityPoolId=pool-1',
        '--set',
        'credentials.existingSecret=creds',
      ]),
    );
    const config = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'fcc-fc-connector-ingress')!;
    expect(config.data).toMatchObject({
      KAFKA_SASL_MECHANISM: 'oauthbearer',
      KAFKA_SASL_OAUTHBEARER_TOKEN_URL: 'https://idp.example/oauth2/token',
      KAFKA_SASL_OAUTHBEARER_EXTENSIONS: 'logicalCluster=lkc-1,identityPoolId=pool-1',
    });
    const ingress = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'fcc-fc-connector-ingress')!;
    const fromSecret = containersOf(ingress)[0]!
      .env.filter((e: Manifest) => e.valueFrom?.secretKeyRef)
      .map((e: Manifest) => e.name);
    expect(fromSecret.sort()).toEqual(['KAFKA_SASL_OAUTHBEARER_CLIENT_ID', 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET']);
  });

  it.each([
    ['no FLUENT_ACCOUNTS', ['--set', 'ingress.fluentAccounts=null'], /fluentAccounts/],
    ['* beside an account', ['--set', 'ingress.fluentAccounts[1]=*'], /fluentAccounts'?: maxItems/],
    ['TLS Secret without kafka.ssl', ['--set', 'kafka.tls.secretName=x'], /\/kafka\/ssl'?: value must be true/],
    [
      'SASL PLAIN without TLS',
      ['--set', 'kafka.sasl.mechanism=plain', '--set', 'credentials.existingSecret=c'],
      /\/kafka\/ssl/,
    ],
    [
      'a client certificate without its key',
      ['--set', 'kafka.ssl=true', '--set', 'kafka.tls.secretName=x', '--set', 'kafka.tls.certKey=tls.crt'],
      /\/kafka\/tls\/keyKey/,
    ],
    [
      'oauthbearer without a token endpoint',
      ['--set', 'kafka.ssl=true', '--set', 'kafka.sasl.mechanism=oauthbearer', '--set', 'credentials.existingSecret=c'],
      /tokenUrl/,
    ],
    [
      'oauthbearer without client credentials',
      [
        '--set',
        'kafka.ssl=true',
        '--set',
        'kafka.sasl.mechanism=oauthbearer',
        '--set',
        'kafka.sasl.oauthbearer.tokenUrl=https://idp/t',
      ],
      /KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET/,
    ],
    ['registry TLS with an http URL', ['--set', 'schemaRegistry.tls.secretName=x'], /\/schemaRegistry\/url/],
  ])('refuses %s', (_label, args, message) => {
    expect(problems(args)).toMatch(message);
  });
});
