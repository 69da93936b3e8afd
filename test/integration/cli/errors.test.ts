import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestTopics, infra, uniqueName } from '../../support/kafka.js';
import { cli } from '../support/cli.js';

const BIN = fileURLToPath(new URL('../../../bin/fc-connector.js', import.meta.url));

describe('fc-connector errors and exit codes', () => {
  it('names unreachable brokers and exits 1, quickly', async () => {
    const started = Date.now();
    const result = await cli(['dlq', 'list', '--brokers', '127.0.0.1:1', '--connect-timeout', '500']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach Kafka brokers 127.0.0.1:1');
    expect(result.stderr).toContain('KAFKA_BROKERS (or --brokers)');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reports unknown topics and exits 1', async () => {
    const main = uniqueName('cli.missing');
    const list = await cli(['dlq', 'list'], { env: { TOPIC_WEBHOOKS: main } });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`topic ${main}.dlq does not exist`);
    expect(list.stderr).toContain('fc-connector topics create');

    const topics = await createTestTopics({ prefix: 'cli.err', partitions: 1, retryTiers: 1 });
    const replay = await cli(['replay', '--from-topic', `${topics.webhooks}.nope`], {
      env: { TOPIC_WEBHOOKS: topics.webhooks, RETRY_DELAYS: '1s' },
    });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain(`topic ${topics.webhooks}.nope does not exist`);
  });

  it.each([
    [['dlq', 'list', '--since', '2024-05-01T10:00:00'], 'Add a time zone'],
    [['dlq', 'list', '--limit', '0'], 'Use a whole number from 1'],
    [['dlq', 'show', '3-12'], 'Use <partition>:<offset>'],
    [['replay', '--from-offset', 'x:1'], 'is neither an offset'],
    [['topics', 'create', '--retention', 'forever'], 'Use a duration'],
    [['topics', 'frobnicate'], "unknown command 'frobnicate'"],
    [['replay', '--bogus'], "unknown option '--bogus'"],
    [['dlq', 'list', '--brokers', 'localhost'], 'KAFKA_BROKERS / --brokers: each broker must be host:port'],
    [['dlq', 'list', '--topic', 'bad topic'], 'Topic names use'],
  ])('rejects bad arguments %j with exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('rejects a bad RETRY_DELAYS with exit 2', async () => {
    const result = await cli(['topics', 'describe'], { env: { RETRY_DELAYS: '5 parsecs' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RETRY_DELAYS');
  });

  it('prints help with examples for every command', async () => {
    for (const args of [
      ['--help'],
      ['topics', 'create', '--help'],
      ['topics', 'describe', '--help'],
      ['dlq', 'list', '--help'],
      ['dlq', 'show', '--help'],
      ['replay', '--help'],
      ['offsets', 'reset', '--help'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toContain('Examples:');
    }
  });

  it('works as the installed bin (bin/fc-connector.js), with exit codes', async () => {
    const main = uniqueName('cli.bin');
    const exec = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], {
          env: {
            ...process.env,
            KAFKA_BROKERS: infra().kafkaBrokers,
            SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
            TOPIC_WEBHOOKS: main,
            RETRY_DELAYS: '1s',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const created = await exec(['topics', 'create', '--partitions', '1']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created 3, grew 0, unchanged 0 of 3 topics.');
    const bad = await exec(['dlq', 'show', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Use <partition>:<offset>');
  });
});
