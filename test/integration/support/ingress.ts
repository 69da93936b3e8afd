/** Shared setup for ingress integration tests: an app bound to a fresh topic on the real broker and registry. */
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Headers, headerString, type FluentWebhookPayload, type FluentWebhookRecord } from '../../../schemas/index.js';
import { buildApp } from '../../../ingress/app.js';
import { loadIngressConfig, type IngressConfig } from '../../../ingress/config.js';
import { createKafkaAdapter, type ProducerAdapter } from '../../../ingress/kafka.js';
import { createTestTopics, infra, testKafka, testSerde, uniqueName } from '../../support/kafka.js';
import { createWebhookSigner, type WebhookSigner } from '../../../sim/signing.js';

export const WEBHOOK = '/api/v1/fluent-connect/webhook';

let sharedSigner: WebhookSigner | undefined;
/** RSA-1024 like Fluent's own keys; generated once per file. */
export function signer(): WebhookSigner {
  sharedSigner ??= createWebhookSigner(1024);
  return sharedSigner;
}

export function payload(overrides: Record<string, unknown> = {}): FluentWebhookPayload {
  return {
    id: `evt-${uniqueName('id')}`,
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    rootEntityId: '123',
    rootEntityRef: `O_${Math.floor(Math.random() * 1e9)}`,
    rootEntityType: 'ORDER',
    entityId: '123',
    entityRef: 'FO_1',
    entityType: 'FULFILMENT',
    entityStatus: 'SHIPPED',
    type: 'NORMAL',
    attributes: {},
    ...overrides,
  };
}

export interface Harness {
  app: FastifyInstance;
  topic: string;
  config: IngressConfig;
  producer: ProducerAdapter;
  close(): Promise<void>;
}

export async function startIngress(
  env: Record<string, string> = {},
  options: { brokers?: string; topic?: string; producer?: ProducerAdapter } = {},
): Promise<Harness> {
  const topic = options.topic ?? (await createTestTopics({ partitions: 2, retryTiers: 0 })).webhooks;
  const config = loadIngressConfig({
    KAFKA_BROKERS: options.brokers ?? infra().kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
    TOPIC_WEBHOOKS: topic,
    FLUENT_WEBHOOK_PUBLIC_KEYS: signer().publicKeyBase64,
    FLUENT_ACCOUNTS: '*',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = pino({ level: 'silent' });
  const producer =
    options.producer ??
    createKafkaAdapter(config.connection.kafka, { logger, requestTimeoutMs: 1_500, connectionTimeoutMs: 500 });
  await producer.connect();
  const app = await buildApp(config, { producer, serde: testSerde(), logger });
  return {
    app,
    topic,
    config,
    producer,
    async close() {
      await app.close();
      await producer.disconnect();
    },
  };
}

/** Number of records ever written to `topic` (sum of high watermarks). */
export async function recordCount(topic: string, brokers?: string): Promise<number> {
  const admin = (
    brokers ? new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 5 } }) : testKafka()
  ).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  key: string;
  partition: number;
  headers: Record<string, string | undefined>;
  value: FluentWebhookRecord;
}

/** Reads exactly `count` records from the start of `topic` (fails after the timeout). */
export async function readRecords(topic: string, count: number, timeoutMs = 15_000): Promise<ReadRecord[]> {
  const serde = testSerde();
  const consumer = testKafka().consumer({ groupId: uniqueName('ingress-test') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: ReadRecord[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length}/${count} records within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          records.push({
            key: message.key!.toString(),
            partition,
            headers: Object.fromEntries(
              Object.values(Headers).map((name) => [name, headerString(message.headers, name)]),
            ),
            value: await serde.decode(message.value),
          });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export function signedRequest(body: string | Buffer, headers: Record<string, string> = {}) {
  return {
    method: 'POST' as const,
    url: WEBHOOK,
    payload: body,
    headers: { ...signer().headers(body), ...headers },
  };
}
