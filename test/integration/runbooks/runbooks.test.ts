/**
 * Every command of docs/runbooks/*.md runs here, so the runbooks cannot rot.
 *
 * `bash runnable` blocks run on the local stack against a real pipeline (ingress and processor processes, simulated
 * Fluent and commercetools; sim/pipeline.ts) with dead letters and webhooks to work on: `fc-connector` is this
 * checkout's CLI, INGRESS_URL / PROCESSOR_URL the services. A block marked `processor=stopped` runs with the processor
 * stopped, as the runbook stops it first. `bash cluster` blocks run, README's first, in one shell per runbook against
 * the Helm chart rendered for a test release: `kubectl` is a recorder that fails for any object the chart does not
 * render, and the manifests the blocks create (the one-off CLI Job) are validated offline like the chart's own.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import { startPipeline, type Pipeline } from '../../../sim/pipeline.js';
import { infra, uniqueName } from '../../support/kafka.js';
import {
  chartDir,
  describeFailures,
  helmPath,
  helmTemplate,
  parseManifests,
  repoRoot,
  validate,
  validatorPython,
  type Manifest,
} from '../../deploy/support/tools.js';
import { payload, produceDeadLetters } from '../support/cli.js';
import { readRunbooks, type RunbookBlock } from './support/blocks.js';

const runbooks = readRunbooks(join(repoRoot, 'docs/runbooks'));
const runnable = runbooks.flatMap((r) => r.blocks.filter((b) => b.kind === 'runnable'));
const where = (b: RunbookBlock) => `docs/runbooks/${b.file}:${b.line}`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a block in bash, asynchronously: the simulated Fluent and commercetools answer from this process, so a
 * synchronous spawn would starve them.
 */
function bash(code: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', code], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A folder with one executable script per name. */
function binDir(scripts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-runbook-bin-'));
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('the runbooks', () => {
  it('mark every bash block as runnable or cluster, and have some of each', () => {
    for (const r of runbooks) expect(r.unmarked, `unmarked bash blocks in ${r.file} (lines)`).toEqual([]);
    expect(runbooks.map((r) => r.file)).toEqual([
      'README.md',
      'dlq-growing.md',
      'lag-rising.md',
      'lost-webhooks.md',
      'processor-paused.md',
      'replay-time-range.md',
      'rotate-fluent-public-key.md',
    ]);
    expect(runnable.length).toBeGreaterThan(10);
  });
});

describe('runnable blocks on the local stack', () => {
  let pipeline: Pipeline;
  let env: NodeJS.ProcessEnv;
  const cwd = mkdtempSync(join(tmpdir(), 'fc-runbook-'));
  const outputs = new Map<string, Run>();

  beforeAll(async () => {
    const topic = uniqueName('runbooks.webhooks');
    pipeline = await startPipeline({
      ...infra(),
      topic,
      groupId: uniqueName('runbooks.group'),
      partitions: 2,
      retryDelays: '300ms',
      logDir: join(tmpdir(), topic),
    });
    // Something for every runbook to find: dead letters, accepted webhooks, Fluent orders changed recently.
    await produceDeadLetters(pipeline.topics, [
      { payload: payload('RB_1'), errorClass: 'CONFIGURATION' },
      { payload: payload('RB_2'), errorClass: 'CONFIGURATION' },
      { payload: payload('RB_3'), errorClass: 'RETRIES_EXHAUSTED' },
    ]);
    for (let i = 0; i < 3; i++) {
      const ref = `RB_ORDER_${i}`;
      pipeline.fluent.store.upsertOrder({ id: String(90_000 + i), ref, status: 'BOOKED', type: 'HD', retailerId: '1' });
      await pipeline.sender.send(
        buildOrderStatusEvent({ orderId: String(90_000 + i), orderRef: ref, status: 'BOOKED' }),
      );
    }
    const shims = binDir({
      'fc-connector': `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'bin/fc-connector.js')}" "$@"\n`,
    });
    env = {
      ...process.env,
      ...pipeline.env,
      PATH: `${shims}:${process.env.PATH ?? ''}`,
      INGRESS_URL: pipeline.ingressUrl,
      PROCESSOR_URL: pipeline.processorUrl,
      FC_CONNECTOR_STATE_DIR: join(cwd, 'state'),
    };
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it.each(runnable.map((b) => [where(b), b] as const))('%s', async (_where, block) => {
    if (block.processorStopped) await pipeline.stopProcessor();
    try {
      const run = await bash(block.code, env, cwd);
      outputs.set(where(block), run);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    } finally {
      if (block.processorStopped) await pipeline.startProcessor();
    }
  });

  it('did what the runbooks say (dead letters found and replayed, a dry-run reset that changed nothing, reconcile)', () => {
    const all = [...outputs.values()].map((r) => r.stdout + r.stderr).join('\n');
    expect(all).toMatch(/2 .*"errorClass":"CONFIGURATION"/);
    expect(all).toMatch(/Replayed 2 of \d+ scanned record\(s\)/);
    expect(all).toContain('Dry run: no offsets changed.');
    expect(all).toMatch(/Offsets of \S+ reset on \d+ topic\(s\)/);
    expect(all).toMatch(/reconcile summary: .*result=complete/);
    expect(all).toMatch(/fc_ingress_dependency_up\{dependency="kafka"\} 1/);
  });
});

describe.runIf(helmPath && validatorPython)('cluster blocks against the rendered chart', () => {
  const release = 'fcc';
  const key = readFileSync(join(repoRoot, 'deploy/helm/fc-connector/ci/production-values.yaml'), 'utf8').match(
    /- (MIG\S+)/,
  )?.[1] as string;
  const values = {
    ingress: { fluentWebhookPublicKeys: [key], fluentAccounts: ['ACME'] },
    processor: { keda: { enabled: true } },
    reconcile: { enabled: true },
    cli: { state: { persistence: { enabled: true } } },
  };

  async function runCluster(file: string) {
    const state = mkdtempSync(join(tmpdir(), 'fc-runbook-cluster-'));
    const valuesFile = join(state, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    writeFileSync(join(state, 'manifests.json'), JSON.stringify(parseManifests(helmTemplate(['-f', valuesFile]))));
    const shim = readFileSync(join(import.meta.dirname, 'support/cluster-shim.mjs'), 'utf8');
    const bin = binDir({ kubectl: shim, helm: shim });
    const blocks = runbooks
      .filter((r) => r.file === 'README.md' || r.file === file)
      // README's set-up and fc_job (and its stop/start blocks) first, in one shell with the runbook's own.
      .flatMap((r) => r.blocks.filter((b) => b.kind === 'cluster'));
    const script = blocks.map((b) => `# ${where(b)}\n${b.code}`).join('\n');
    const run = await bash(
      script,
      {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        SHIM_STATE: state,
        SHIM_HELM: helmPath,
        NS: 'fc',
        RELEASE: release,
        CHART: chartDir,
        NEW_FLUENT_KEY: key.replace('MIGf', 'MIGF'),
        HOME: state,
      },
      repoRoot,
    );
    const calls = readFileSync(join(state, 'calls.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tool: string; args: string[]; ok: boolean; created?: string });
    const createdDir = join(state, 'created');
    const created = existsSync(createdDir)
      ? readdirSync(createdDir).map((f) => readFileSync(join(createdDir, f), 'utf8'))
      : [];
    return { run, calls, created };
  }

  it.each(runbooks.map((r) => r.file))('%s: every kubectl/helm call names what the chart renders', async (file) => {
    const { run, calls, created } = await runCluster(file);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(calls.filter((c) => !c.ok)).toEqual([]);
    for (const manifest of created) {
      const report = validate('k8s', manifest);
      expect(report.ok, describeFailures(report)).toBe(true);
      const [job] = parseManifests(manifest) as [Manifest];
      expect(job.kind).toBe('Job');
      const c = job.spec.template.spec.containers[0];
      expect(c.args[0]).toBe('fc-connector');
      expect(job.spec.template.spec.volumes).toContainEqual({
        name: 'cli-state',
        persistentVolumeClaim: { claimName: `${release}-fc-connector-cli-state` },
      });
    }
    if (file === 'README.md') {
      // Stopping the processor: autoscaling paused before scaling to 0, then resumed after scaling back.
      const verbs = calls.filter((c) => c.tool === 'kubectl').map((c) => c.args.filter((a) => !a.startsWith('-n')));
      const annotate = verbs.findIndex((a) => a.includes('autoscaling.keda.sh/paused-replicas=0'));
      const scaleDown = verbs.findIndex((a) => a.includes('--replicas=0'));
      expect(annotate).toBeGreaterThanOrEqual(0);
      expect(scaleDown).toBeGreaterThan(annotate);
      expect(verbs.some((a) => a.includes('autoscaling.keda.sh/paused-replicas-'))).toBe(true);
    }
  });
});
