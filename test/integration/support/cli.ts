/** Helpers for CLI integration tests: run the CLI in-process, produce dead letters shaped as the processor writes them (docs/architecture.md, "Kafka contract"), read topics back. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import {
  Headers,
  partitionKey,
  toWebhookRecord,
  type FluentWebhookPayload,
  type TopicNames,
} from '../../../schemas/index.js';
import { run } from '../../../cli/main.js';
import { infra, testKafka, testSerde, uniqueName } from '../../support/kafka.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Sees each write to stderr as it happens (e.g. replay progress, written after every checkpointed batch). */
  onStderr?: (text: string) => void;
}

export async function cli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: {
      write: (t: string) => {
        stderr += t;
        options.onStderr?.(t);
      },
      isTTY: false,
    },
    env: {
      KAFKA_BROKERS: infra().kafkaBrokers,
      SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
      ...options.env,
    },
    cwd: options.cwd ?? tempDir(),
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fc-cli-'));
}

export const ORDER_STATUS = 'fc.connect.order.webhook.order-status-update';

export function payload(orderRef: string, overrides: Partial<FluentWebhookPayload> = {}): FluentWebhookPayload {
  return {
    id: uniqueName('evt'),
    name: ORDER_STATUS,
    accountId: 'ACME',
    retailerId: '1',
    rootEntityId: orderRef.replace(/\D/g, '') || '1',
    rootEntityRef: orderRef,
    rootEntityType: 'ORDER',
    entityId: orderRef.replace(/\D/g, '') || '1',
    entityRef: orderRef,
    entityType: 'ORDER',
    entityStatus: 'BOOKED',
    type: 'NORMAL',
    attributes: {},
    ...overrides,
  };
}

export interface DeadLetterSpec {
  payload: FluentWebhookPayload;
  errorClass: string;
  errorMessage?: string;
  attempt?: number;
  /** Raw value bytes instead of the Avro record (e.g. garbage for an undecodable record). */
  rawValue?: Buffer;
}

/** Produces DLQ records as the processor writes them (failure headers, main topic's Avro bytes, key = order ref). */
export async function produceDeadLetters(topics: TopicNames, specs: readonly DeadLetterSpec[]): Promise<void> {
  const serde = testSerde();
  const producer = testKafka().producer();
  await producer.connect();
  try {
    const messages = await Promise.all(
      specs.map(async (spec, i) => {
        const body = Buffer.from(JSON.stringify(spec.payload));
        const value =
          spec.rawValue ??
          (await serde.encode(
            topics.webhooks,
            toWebhookRecord(spec.payload, { rawBody: body, receivedAt: Date.now() }),
          ));
        return {
          key: partitionKey(spec.payload),
          value,
          headers: {
            [Headers.messageName]: spec.payload.name,
            [Headers.eventId]: spec.payload.id,
            [Headers.receivedAt]: String(Date.now()),
            [Headers.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            [Headers.attempt]: String(spec.attempt ?? 1),
            [Headers.originalTopic]: topics.webhooks,
            [Headers.originalPartition]: '0',
            [Headers.originalOffset]: String(i),
            [Headers.errorClass]: spec.errorClass,
            [Headers.errorMessage]: spec.errorMessage ?? `${spec.errorClass} failure`,
            [Headers.errorRetryable]: 'false',
            [Headers.handler]: 'order-status',
            [Headers.failedAt]: new Date().toISOString(),
          },
        };
      }),
    );
    await producer.send({ topic: topics.dlq, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Number of records in a topic (sum of high - low watermarks): exact, no consumer needed. */
export async function recordCount(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads every record of a topic (expects `count` of them) with a fresh consumer group. */
export async function readTopic(topic: string, count: number): Promise<(KafkaMessage & { partition: number })[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('cli-test-reader'), maxWaitTimeInMs: 100 });
  const found: (KafkaMessage & { partition: number })[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    if (count === 0) done();
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        found.push({ ...message, partition });
        if (found.length >= count) done();
        return Promise.resolve();
      },
    });
    await Promise.race([
      all,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`read ${found.length}/${count} from ${topic}`)), 20_000),
      ),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : last.toString();
}
