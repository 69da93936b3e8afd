/**
 * Locates the tools the deployment checks run (installed by .ci/tools.sh into .tools/) and runs them.
 * In CI (CI=true) a missing tool is a failure; on a developer machine the suites skip with a message saying how to
 * install it (`bash .ci/tools.sh`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const chartDir = join(repoRoot, 'deploy/helm/fc-connector');
export const productionValues = join(chartDir, 'ci/production-values.yaml');
/** Kubernetes version the manifests are rendered for and validated against (a supported, widely run minor). */
export const KUBE_VERSION = '1.33.0';

function findOnPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

export const helmPath = [join(repoRoot, '.tools/bin/helm')].find(existsSync) ?? findOnPath('helm');

/**
 * Docker Compose v2 as a command line: the docker CLI's plugin (`docker compose`) when installed, else the standalone
 * binary .ci/tools.sh builds. `compose config` needs no Docker engine.
 */
export const composeCommand: readonly string[] | undefined = (() => {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  const standalone = join(repoRoot, '.tools/bin/docker-compose');
  return existsSync(standalone) ? [standalone] : undefined;
})();
export const validatorPython = [join(repoRoot, '.tools/venv/bin/python')].find(existsSync);

const isCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns true when the named tools are present. Missing in CI → throws (the suite fails); missing elsewhere → warns
 * once and returns false so the suite is skipped.
 */
export function requireTools(tools: Record<string, string | undefined>): boolean {
  const missing = Object.entries(tools)
    .filter(([, path]) => !path)
    .map(([name]) => name);
  if (missing.length === 0) return true;
  const message = `deployment checks need ${missing.join(', ')} (install with: bash .ci/tools.sh)`;
  if (isCi) throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
  console.warn(`[test/deploy] skipping: ${message}`);
  return false;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[]): RunResult {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export function helmTemplate(args: readonly string[] = []): string {
  if (!helmPath) throw new Error('helm not found');
  return execFileSync(
    helmPath,
    ['template', 'fcc', chartDir, '--namespace', 'fc', '--kube-version', KUBE_VERSION, ...args],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

// Rendered manifests are plain data; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}

export interface ValidationEntry {
  apiVersion?: string;
  kind: string;
  name: string;
  status: 'valid' | 'invalid' | 'no-schema';
  validator?: string;
  errors?: string[];
}

export interface ValidationReport {
  ok: boolean;
  results: ValidationEntry[];
}

/** Runs test/deploy/support/validate.py (offline schemas) over YAML text; mode `k8s` or `compose`. */
export function validate(mode: 'k8s' | 'compose', yamlText: string): ValidationReport {
  if (!validatorPython) throw new Error('validator venv not found');
  const dir = mkdtempSync(join(tmpdir(), 'fc-deploy-'));
  const file = join(dir, mode === 'k8s' ? 'manifests.yaml' : 'docker-compose.yml');
  writeFileSync(file, yamlText);
  const args = [join(repoRoot, 'test/deploy/support/validate.py'), mode];
  if (mode === 'k8s') args.push('--kubernetes-version', KUBE_VERSION);
  args.push(file);
  const result = run(validatorPython, args);
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`validate.py failed (exit ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as ValidationReport;
}

/** Validation failures in a readable form for assertion messages. */
export function describeFailures(report: ValidationReport): string {
  return report.results
    .filter((r) => r.status !== 'valid')
    .map((r) => `${r.kind}/${r.name}: ${r.status} ${(r.errors ?? []).join('; ')}`)
    .join('\n');
}

/** The core variable names of docs/configuration.md, by component: every deployment must wire them. */
export const CORE_ENV = {
  common: [
    'KAFKA_BROKERS',
    'KAFKA_CLIENT_ID',
    'KAFKA_SSL',
    'KAFKA_SASL_MECHANISM',
    'KAFKA_SASL_USERNAME',
    'KAFKA_SASL_PASSWORD',
    'SCHEMA_REGISTRY_URL',
    'SCHEMA_REGISTRY_USERNAME',
    'SCHEMA_REGISTRY_PASSWORD',
    'SCHEMA_REGISTRY_AUTO_REGISTER',
    'TOPIC_WEBHOOKS',
    'LOG_LEVEL',
  ],
  ingress: [
    'PORT',
    'HOST',
    'FLUENT_WEBHOOK_PUBLIC_KEYS',
    'FLUENT_ACCOUNTS',
    'FLUENT_ACCEPT_FLEX_SIGNATURE',
    'WEBHOOK_MAX_BODY_BYTES',
  ],
  processor: [
    'FLUENT_BASE_URL',
    'FLUENT_CLIENT_ID',
    'FLUENT_CLIENT_SECRET',
    'FLUENT_USERNAME',
    'FLUENT_PASSWORD',
    'CONNECTOR_NAME',
    'CT_AUTH_URL',
    'CT_API_URL',
    'CT_CLIENT_ID',
    'CT_CLIENT_SECRET',
    'CT_PROJECT_KEY',
    'CONSUMER_GROUP_ID',
    'PROCESSOR_CONCURRENCY',
    'RETRY_DELAYS',
    'PROCESSOR_PLUGINS',
    'PORT',
    'ORDER_CORRELATION',
    'ORDER_CORRELATION_PREFIX',
    'SETTINGS_CACHE_TTL',
    'UNKNOWN_MESSAGE_POLICY',
  ],
} as const;

/** Credentials: must only ever come from a Secret. */
export const SECRET_ENV = [
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_USERNAME',
  'SCHEMA_REGISTRY_PASSWORD',
  'FLUENT_CLIENT_ID',
  'FLUENT_CLIENT_SECRET',
  'FLUENT_USERNAME',
  'FLUENT_PASSWORD',
  'CT_CLIENT_ID',
  'CT_CLIENT_SECRET',
] as const;
