/**
 * Start-up and fatal states on the real broker: missing topics and retry delays longer than a retry topic's retention
 * end the start with an error naming what to fix; the entry point exits 78 for them without KafkaJS's partitioner
 * warning; a DLQ that refuses records for good fails readiness with the reason and stops the member.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import kafkajs, { type ITopicConfig } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopicsAndWait } from '../../../cli/kafka.js';
import { runtimeConfigFrom } from '../../../processor/config.js';
import { NonRetryableError } from '../../../processor/errors.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RunningProcessor } from '../../../processor/runtime.js';
import { topicNames, type TopicNames } from '../../../schemas/index.js';
import { eventually, infra, testKafka, uniqueName } from '../../support/kafka.js';
import {
  committedTotal,
  encodeAll,
  ORDER_STATUS,
  payloadFor,
  produce,
  testBed,
  testLogger,
  topicSize,
} from '../support/processor.js';

const { ConfigResourceTypes } = kafkajs;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const running: RunningProcessor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

/** Creates only the given topics (1 partition each), with per-topic configs. */
async function createTopics(topics: readonly string[], configs: Record<string, Record<string, string>> = {}) {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const specs: ITopicConfig[] = topics.map((topic) => ({
      topic,
      numPartitions: 1,
      replicationFactor: 1,
      configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
    }));
    await createTopicsAndWait(admin, specs);
  } finally {
    await admin.disconnect();
  }
}

function env(topics: TopicNames, retryDelays: string): Record<string, string> {
  return {
    KAFKA_BROKERS: infra().kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
    TOPIC_WEBHOOKS: topics.webhooks,
    CONSUMER_GROUP_ID: uniqueName('startup-group'),
    RETRY_DELAYS: retryDelays,
    HEARTBEAT_INTERVAL_MS: '500',
    SESSION_TIMEOUT_MS: '10000',
  };
}

const idle: MessageHandler = { name: 'idle', handle: () => Promise.resolve({ status: 'applied' }) };

function start(config: Parameters<typeof startProcessor>[0]['config'], handler = idle) {
  const router = new Router();
  router.registerHandler(ORDER_STATUS, handler);
  return startProcessor({ config, router, logger: testLogger() }).then((p) => {
    running.push(p);
    return p;
  });
}

/** Runs `processor/main.ts` as `npm run processor` does; resolves with its exit code and output. */
function runEntry(vars: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'processor/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe('processor start-up checks', () => {
  it('refuses to start when a retry tier or the DLQ does not exist, naming them and the command that creates them', async () => {
    const topics = topicNames(uniqueName('startup.missing'), 3);
    await createTopics([topics.webhooks, topics.retries[0]!]);
    const config = runtimeConfigFrom(env(topics, '200ms,400ms,800ms'));

    const failure = await start(config).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('UNKNOWN_TOPIC');
    expect(failure?.message).toContain(`${topics.retries[1]}, ${topics.retries[2]}, ${topics.dlq}`);
    expect(failure?.message).toContain('fc-connector topics create');
    expect(failure?.message).not.toContain('does not host this topic-partition');
  });

  it('refuses a retry delay longer than its retry topic keeps records, naming tier, delay and retention', async () => {
    const topics = topicNames(uniqueName('startup.retention'), 2);
    await createTopics([topics.webhooks, ...topics.retries, topics.dlq], {
      [topics.retries[1]!]: { 'retention.ms': '1000' },
    });

    await expect(start(runtimeConfigFrom(env(topics, '200ms,2s')))).rejects.toMatchObject({
      code: 'RETENTION_TOO_SHORT',
      message: expect.stringContaining(`RETRY_DELAYS tier 2 waits 2s, but ${topics.retries[1]} keeps records for 1s`),
    });
    // Within the retention, the same topics are fine.
    await expect(start(runtimeConfigFrom(env(topics, '200ms,1s')))).resolves.toBeDefined();
  });

  it('the entry point exits 78 on missing topics, says what to run, and logs no partitioner warning', async () => {
    const topics = topicNames(uniqueName('startup.entry'), 3);
    const result = await runEntry({
      ...env(topics, '5s,1m,10m'),
      PORT: '0',
      FLUENT_BASE_URL: 'http://127.0.0.1:1',
      FLUENT_CLIENT_ID: 'id',
      FLUENT_CLIENT_SECRET: 'secret',
      FLUENT_USERNAME: 'user',
      FLUENT_PASSWORD: 'password',
      CT_AUTH_URL: 'http://127.0.0.1:1',
      CT_API_URL: 'http://127.0.0.1:1',
      CT_CLIENT_ID: 'id',
      CT_CLIENT_SECRET: 'secret',
      CT_PROJECT_KEY: 'project',
    });
    expect(result.code, result.output).toBe(78);
    expect(result.output).toContain(`topics do not exist: ${topics.webhooks}, ${topics.retries.join(', ')}`);
    expect(result.output).toContain(
      `TOPIC_WEBHOOKS=${topics.webhooks} RETRY_DELAYS=5s,1m,10m npx fc-connector topics create`,
    );
    expect(result.output).not.toContain('does not host this topic-partition');
    expect(result.output).not.toMatch(/partitioner/i);
  }, 60_000);
});

describe('processor fatal produce state', () => {
  it('fails readiness with the reason and stops the member when the DLQ refuses records for good', async () => {
    const bed = await testBed({ partitions: 1, retryDelays: '200ms' });
    // The DLQ takes no record this large: MESSAGE_TOO_LARGE, which no retry can fix.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: bed.topics.dlq,
            configEntries: [{ name: 'max.message.bytes', value: '1024' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const big = payloadFor('O_BIG', 1);
    const [record] = await encodeAll(bed.topics.webhooks, [{ ...big, attributes: { padding: 'x'.repeat(8_000) } }]);
    await produce(bed.topics.webhooks, [record!]);
    const handler: MessageHandler = {
      name: 'refusing',
      handle: () => Promise.reject(new NonRetryableError('order is malformed')),
    };
    const processor = await start(bed.config(), handler);
    const fatalEvents: string[] = [];
    processor.events.on('fatal', (reason: string) => fatalEvents.push(reason));

    const reason = await eventually(() => processor.fatal(), 20_000);
    expect(reason).toContain(`cannot produce to ${bed.topics.dlq}`);
    expect(fatalEvents).toEqual([reason]);
    expect(processor.notReadyReason()).toBe(reason);
    expect(processor.ready()).toBe(false);
    await eventually(() => !processor.alive(), 10_000);
    // The refused record stays uncommitted, so it is redelivered once the DLQ takes it.
    expect(await committedTotal(bed.groupId, bed.topics.webhooks)).toBe(0);
    expect(await topicSize(bed.topics.dlq)).toBe(0);
  });
});
