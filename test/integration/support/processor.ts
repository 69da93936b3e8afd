/** Helpers for processor integration tests: topics, config, records, producing and reading back. */
import { randomUUID } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { toWebhookRecord, type FluentWebhookPayload, type TopicNames } from '../../../schemas/index.js';
import { runtimeConfigFrom, type ProcessorRuntimeConfig } from '../../../processor/config.js';
import { createTestTopics, eventually, infra, testKafka, testSerde, uniqueName } from '../../support/kafka.js';

export const ORDER_STATUS = 'fc.connect.order.webhook.order-status-update';

export interface TestBed {
  topics: TopicNames;
  groupId: string;
  config(overrides?: Record<string, string>): ProcessorRuntimeConfig;
  env(overrides?: Record<string, string>): Record<string, string>;
}

export async function testBed(options: { partitions?: number; retryDelays?: string } = {}): Promise<TestBed> {
  const retryDelays = options.retryDelays ?? '200ms,400ms';
  const topics = await createTestTopics({
    prefix: 'proc',
    partitions: options.partitions ?? 3,
    retryTiers: retryDelays.split(',').length,
  });
  // Leaders can take a moment to show up in metadata right after creation; wait so producing doesn't flake.
  const admin = testKafka().admin();
  await admin.connect();
  try {
    for (const topic of [topics.webhooks, ...topics.retries, topics.dlq]) {
      await eventually(async () => (await admin.fetchTopicOffsets(topic)).length === (options.partitions ?? 3), 10_000);
    }
  } finally {
    await admin.disconnect();
  }
  const groupId = uniqueName('proc-group');
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    KAFKA_BROKERS: infra().kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
    TOPIC_WEBHOOKS: topics.webhooks,
    CONSUMER_GROUP_ID: groupId,
    RETRY_DELAYS: retryDelays,
    FETCH_MAX_WAIT_MS: '100',
    HEARTBEAT_INTERVAL_MS: '500',
    SESSION_TIMEOUT_MS: '10000',
    PAUSE_BACKOFF_INITIAL_MS: '200',
    PAUSE_BACKOFF_MAX_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  });
  return { topics, groupId, env, config: (overrides) => runtimeConfigFrom(env(overrides)) };
}

export function testLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export function payloadFor(orderRef: string, seq: number, name = ORDER_STATUS): FluentWebhookPayload {
  return {
    id: randomUUID(),
    name,
    accountId: 'ACME',
    retailerId: '1',
    entityId: String(seq),
    entityRef: orderRef,
    entityType: 'ORDER',
    entityStatus: 'BOOKED',
    rootEntityRef: orderRef,
    rootEntityType: 'ORDER',
    type: 'NORMAL',
    attributes: { seq },
  };
}

export interface ProducedRecord {
  key: string;
  value: Buffer;
  headers: IHeaders;
  payload?: FluentWebhookPayload;
}

/** Encodes payloads as the ingress would (Avro, key = order ref, standard headers). */
export async function encodeAll(topic: string, payloads: FluentWebhookPayload[]): Promise<ProducedRecord[]> {
  const serde = testSerde();
  const out: ProducedRecord[] = [];
  for (const payload of payloads) {
    const rawBody = Buffer.from(JSON.stringify(payload));
    const value = await serde.encode(topic, toWebhookRecord(payload, { rawBody, receivedAt: Date.now() }));
    out.push({
      key: payload.rootEntityRef ?? payload.entityRef,
      value,
      headers: { 'fc-message-name': payload.name, 'fc-event-id': payload.id, 'x-test-origin': 'processor-test' },
      payload,
    });
  }
  return out;
}

export async function produce(topic: string, records: { key: string; value: Buffer; headers?: IHeaders }[]) {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + 500) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads `topic` from the beginning with a throwaway group until `count` records arrived (or the timeout). */
export async function readTopic(topic: string, count: number, timeoutMs = 15_000): Promise<KafkaMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: ({ message }) => {
        messages.push(message);
        if (messages.length >= count) done();
        return Promise.resolve();
      },
    });
    await Promise.race([finished, new Promise((r) => setTimeout(r, timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Committed offsets of `groupId` on `topic`, summed over partitions (-1 counts as 0). */
export async function committedTotal(groupId: string, topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined) return undefined;
  const first = Array.isArray(v) ? v[v.length - 1] : v;
  return first === undefined ? undefined : first.toString();
}

/** Number of records ever written to `topic` (sum of high watermarks). */
export async function topicSize(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
