/**
 * Helm: commercetools credentials per project (deploy/helm/fc-connector/README.md). processor.commercetools.projects
 * names a Secret whose key holds the CT_PROJECTS_FILE JSON: only that key is mounted read-only into the processor and
 * the CLI Job, CT_PROJECTS_FILE points at it, and CT_CLIENT_ID / CT_CLIENT_SECRET become optional (a default).
 */
import { describe, expect, it } from 'vitest';
import { chartToolsReady, renderChart, renderValidated } from './support/chart.js';
import { parseManifests, type Manifest } from './support/tools.js';

const ready = chartToolsReady();
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
    const manifests = renderValidated(PROJECTS);
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
    const manifests = parseManifests(renderChart());
    expect(find(manifests, 'ConfigMap', '-processor').data.CT_PROJECTS_FILE).toBeUndefined();
    const pod = podOf(find(manifests, 'Deployment', '-processor'));
    expect(pod.volumes.map((v: Manifest) => v.name)).not.toContain('ct-projects');
    expect(secretEnv(pod.containers[0], 'CT_CLIENT_ID')?.optional).toBeUndefined();
  });

  it('the values schema refuses a Secret key that is not a file name', () => {
    expect(() =>
      renderChart([
        '--set',
        'processor.commercetools.projects.existingSecret=ct',
        '--set',
        'processor.commercetools.projects.key=a/b',
      ]),
    ).toThrowError(/projects\/key/);
  });
});
