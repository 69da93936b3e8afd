/**
 * Helm: commercetools credentials per project (deploy/helm/fc-connector/README.md). processor.commercetools.projects
 * names a Secret whose key holds the CT_PROJECTS_FILE JSON: only that key is mounted read-only into the processor and
 * the CLI Job, CT_PROJECTS_FILE points at it, and CT_CLIENT_ID / CT_CLIENT_SECRET become optional (a default).
 */
import { describe, expect, it } from 'vitest';
import {
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  requireTools,
  validate,
  validatorPython,
  type Manifest,
} from './support/tools.js';

const ready = requireTools({ helm: helmPath, 'kubernetes-validate venv': validatorPython });

const KEY =
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7n9sXfF0wQp0yq1hO0bRZ3gHvQfX2cH3hYp1s8JmPq8nL0q1ZpJvXz8K6wq3tqC1b4p0Zg2rY8q3bJv0Z2yq1bF0Xq5nYzK0mU7d9FvJk2sL9qT4bK6w3vP5cN8mR1tY7uJ2eG4hW0iL3oA6sD9fQ5gH8jK1lZ2xC3vB4nM7QIDAQAB';
const BASE = ['--set', `ingress.fluentWebhookPublicKeys[0]=${KEY}`, '--set', 'ingress.fluentAccounts[0]=ACME'];
const PROJECTS = [
  '--set',
  'processor.commercetools.projects.existingSecret=ct-projects',
  '--set',
  'processor.commercetools.projects.key=acme.json',
  '--set',
  'processor.commercetools.projectKey=acme-eu',
  '--set',
  'processor.commercetools.storeKey=eu-store',
  '--set',
  'cli.job.enabled=true',
  '--set',
  'cli.job.args[0]=status',
];

const find = (manifests: Manifest[], kind: string, suffix: string): Manifest => {
  // The CLI Job has a generateName (every run its own Job).
  const named = (m: Manifest) => String(m.metadata?.name ?? m.metadata?.generateName).replace(/-$/, '');
  const found = manifests.find((m) => m.kind === kind && named(m).endsWith(suffix));
  if (!found) throw new Error(`${kind} *${suffix} not rendered`);
  return found;
};
const podOf = (m: Manifest) => m.spec.template.spec;
const secretEnv = (container: Manifest, name: string) =>
  (container.env as Manifest[]).find((e) => e.name === name)?.valueFrom?.secretKeyRef;

describe.runIf(ready)('Helm: commercetools credentials per project', () => {
  it('mounts only the projects key, points CT_PROJECTS_FILE at it, validates against the Kubernetes schemas', () => {
    const text = helmTemplate([...BASE, ...PROJECTS]);
    const report = validate('k8s', text);
    expect(report.ok, describeFailures(report)).toBe(true);
    const manifests = parseManifests(text);
    const config = find(manifests, 'ConfigMap', '-processor').data;
    expect(config.CT_PROJECTS_FILE).toBe('/etc/fc-connector/ct-projects/acme.json');
    expect(config.CT_STORE_KEY).toBe('eu-store');
    for (const workload of [find(manifests, 'Deployment', '-processor'), find(manifests, 'Job', '-cli')]) {
      const pod = podOf(workload);
      expect(pod.volumes).toContainEqual({
        name: 'ct-projects',
        secret: { secretName: 'ct-projects', defaultMode: 288, items: [{ key: 'acme.json', path: 'acme.json' }] },
      });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'ct-projects',
        mountPath: '/etc/fc-connector/ct-projects',
        readOnly: true,
      });
      expect(secretEnv(pod.containers[0], 'CT_CLIENT_ID')).toMatchObject({ key: 'CT_CLIENT_ID', optional: true });
      expect(secretEnv(pod.containers[0], 'CT_CLIENT_SECRET')).toMatchObject({ optional: true });
      expect(secretEnv(pod.containers[0], 'FLUENT_CLIENT_SECRET')?.optional).toBeUndefined();
    }
  });

  it('off by default: no mount, no CT_PROJECTS_FILE, the single-project credentials required', () => {
    const manifests = parseManifests(helmTemplate(BASE));
    expect(find(manifests, 'ConfigMap', '-processor').data.CT_PROJECTS_FILE).toBeUndefined();
    const pod = podOf(find(manifests, 'Deployment', '-processor'));
    expect(pod.volumes.map((v: Manifest) => v.name)).not.toContain('ct-projects');
    expect(secretEnv(pod.containers[0], 'CT_CLIENT_ID')?.optional).toBeUndefined();
  });

  it('the values schema refuses a Secret key that is not a file name', () => {
    expect(() =>
      helmTemplate([
        ...BASE,
        '--set',
        'processor.commercetools.projects.existingSecret=ct',
        '--set',
        'processor.commercetools.projects.key=a/b',
      ]),
    ).toThrowError(/projects\/key/);
  });
});
