/**
 * What every chart check (helm*.test.ts) starts from: the tools it needs, the values the chart's schema requires, and
 * a render that must validate against the Kubernetes schemas.
 */
import { expect } from 'vitest';
import {
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  requireTools,
  validate,
  validatorPython,
  type Manifest,
} from './tools.js';

/** helm and the validator venv are installed; when not, the suite is skipped (a failure in CI). */
export const chartToolsReady = (): boolean =>
  requireTools({ helm: helmPath, 'kubernetes-validate venv': validatorPython });

const FLUENT_PUBLIC_KEY =
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7n9sXfF0wQp0yq1hO0bRZ3gHvQfX2cH3hYp1s8JmPq8nL0q1ZpJvXz8K6wq3tqC1b4p0Zg2rY8q3bJv0Z2yq1bF0Xq5nYzK0mU7d9FvJk2sL9qT4bK6w3vP5cN8mR1tY7uJ2eG4hW0iL3oA6sD9fQ5gH8jK1lZ2xC3vB4nM7QIDAQAB';

/**
 * The values schema requires a Fluent public key and account while the ingress is enabled: "default values" means
 * the chart's defaults plus these.
 */
export const REQUIRED_VALUES: readonly string[] = [
  '--set',
  `ingress.fluentWebhookPublicKeys[0]=${FLUENT_PUBLIC_KEY}`,
  '--set',
  'ingress.fluentAccounts[0]=ACME',
];

/** `helm template` with the required values and `args`; throws with helm's message when rendering fails. */
export const renderChart = (args: readonly string[] = []): string => helmTemplate([...REQUIRED_VALUES, ...args]);

/** renderChart's manifests, asserted valid against the Kubernetes schemas (offline) first. */
export function renderValidated(args: readonly string[] = []): Manifest[] {
  const text = renderChart(args);
  const report = validate('k8s', text);
  expect(report.ok, describeFailures(report)).toBe(true);
  return parseManifests(text);
}
