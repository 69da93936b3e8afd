/** Test helpers: each test gets its own topics and group ids, and clients pointed at the provided infrastructure. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { inject } from 'vitest';
import { createTopicsAndWait } from '../../cli/kafka.js';
import { errorMessageOf } from '../../common/errors.js';
import { createRegistry, topicNames, WebhookSerde, type TopicNames } from '../../schemas/index.js';

export function infra(): { kafkaBrokers: string; schemaRegistryUrl: string } {
  return { kafkaBrokers: inject('kafkaBrokers'), schemaRegistryUrl: inject('schemaRegistryUrl') };
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomUUID().slice(0, 8)}`;
}

export function testKafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({
    clientId,
    brokers: infra().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

export function testSerde(): WebhookSerde {
  return new WebhookSerde(createRegistry({ url: infra().schemaRegistryUrl }));
}

/** Creates the main, retry and DLQ topics for a fresh base name and returns their names. */
export async function createTestTopics(
  options: { prefix?: string; partitions?: number; retryTiers?: number; admin?: Admin } = {},
): Promise<TopicNames> {
  const names = topicNames(uniqueName(options.prefix ?? 'fluent.webhooks.test'), options.retryTiers ?? 3);
  const admin = options.admin ?? testKafka().admin();
  const own = !options.admin;
  if (own) await admin.connect();
  try {
    await createTopicsAndWait(
      admin,
      [names.webhooks, ...names.retries, names.dlq].map((topic) => ({
        topic,
        numPartitions: options.partitions ?? 3,
        replicationFactor: 1,
      })),
    );
  } finally {
    if (own) await admin.disconnect();
  }
  return names;
}

/** Polls `check` until it returns a truthy value or the timeout elapses. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${errorMessageOf(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface ReadRecord {
  partition: number;
  offset: string;
  /** Kafka record timestamp (CreateTime: when the producer sent it), ms. */
  timestamp: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Reads every record currently in a topic (up to the high watermarks at call time), without committing. */
export async function readTopic(topic: string, kafka: Kafka = testKafka()): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)] as const),
  );
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const groupId = uniqueName('reader');
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          records.push({
            partition,
            offset: message.offset,
            timestamp: Number(message.timestamp),
            key: message.key?.toString() ?? null,
            value: message.value,
            headers: message.headers ?? {},
          });
          const high = remaining.get(partition);
          if (high !== undefined && Number(message.offset) + 1 >= high) remaining.delete(partition);
          if (remaining.size === 0) resolve();
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}
