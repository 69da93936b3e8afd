/**
 * `replay` where the working directory is read-only, as in the container image (root-owned /app, run as an
 * unprivileged user): without a state dir it fails before producing anything and names FC_CONNECTOR_STATE_DIR; with
 * the variable pointing at a writable directory (the chart's state volume) it replays and keeps its checkpoint there.
 * Runs the real launcher (bin/fc-connector.js) as another process; as root, under an unprivileged uid, because root
 * writes through any mode bits.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTopics, infra } from '../../support/kafka.js';
import { payload, produceDeadLetters, recordCount, tempDir } from '../support/cli.js';

const launcher = join(import.meta.dirname, '../../../bin/fc-connector.js');
const UNPRIVILEGED = 65534;
const asRoot = process.getuid?.() === 0;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: infra().kafkaBrokers,
        SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
        ...env,
      },
      ...(asRoot ? { uid: UNPRIVILEGED, gid: UNPRIVILEGED } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A directory the CLI's user cannot write to. */
function readOnlyDir(): string {
  const dir = tempDir();
  chmodSync(dir, 0o555);
  return dir;
}

/** A directory the CLI's user can write to (the chart's state volume). */
function writableDir(): string {
  const dir = tempDir();
  if (asRoot) chownSync(dir, UNPRIVILEGED, UNPRIVILEGED);
  return dir;
}

/**
 * The unprivileged user must reach the checkout to run its launcher: a checkout under a private directory (`mktemp -d`
 * makes 0700 ones) gets search-only permission for others on those ancestors for the test's duration, then its mode
 * back.
 */
function letOthersReachCheckout(): () => void {
  const restore: Array<[string, number]> = [];
  for (let dir = resolve(import.meta.dirname, '../../..'); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      restore.push([dir, mode]);
    }
    if (dirname(dir) === dir) break;
  }
  return () => {
    for (const [dir, mode] of restore) chmodSync(dir, mode);
  };
}

describe('fc-connector replay with a read-only working directory', () => {
  let restoreModes = (): void => undefined;
  beforeAll(() => {
    if (asRoot) restoreModes = letOthersReachCheckout();
  });
  afterAll(() => restoreModes());

  it('fails naming FC_CONNECTOR_STATE_DIR without it, and replays with its checkpoint in it with it', async () => {
    const topics = await createTestTopics({ prefix: 'cli.replay.statedir', partitions: 1, retryTiers: 1 });
    await produceDeadLetters(topics, [
      { payload: payload('O_1'), errorClass: 'CONFIGURATION' },
      { payload: payload('O_2'), errorClass: 'CONFIGURATION' },
    ]);
    const env = { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' };
    const cwd = readOnlyDir();

    const refused = await runCli(['replay', '--id', 'state-dir'], cwd, env);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`cannot keep replay checkpoints in ${join(cwd, '.fc-connector')}`);
    expect(refused.stderr).toContain('FC_CONNECTOR_STATE_DIR');
    expect(await recordCount(topics.webhooks)).toBe(0);

    const stateDir = writableDir();
    const help = await runCli(['replay', '--help'], cwd, { ...env, FC_CONNECTOR_STATE_DIR: stateDir });
    expect(help.stdout).toContain(`Checkpoints: ${stateDir}/replay-<id>.json (from FC_CONNECTOR_STATE_DIR`);

    const replayed = await runCli(['replay', '--id', 'state-dir'], cwd, { ...env, FC_CONNECTOR_STATE_DIR: stateDir });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/Replayed 2 of 2 scanned record\(s\)/);
    expect(await recordCount(topics.webhooks)).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
    const checkpoint = join(stateDir, 'replay-state-dir.json');
    expect(existsSync(checkpoint)).toBe(true);
    expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toMatchObject({ status: 'complete', replayed: 2 });

    // The checkpoint outlives the process: a second run (another pod with the same volume) finds the replay done.
    const again = await runCli(['replay', '--id', 'state-dir'], cwd, { ...env, FC_CONNECTOR_STATE_DIR: stateDir });
    expect(again.code, again.stderr).toBe(0);
    expect(await recordCount(topics.webhooks)).toBe(2);
  });
});
