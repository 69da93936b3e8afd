/**
 * The only file that knows KafkaJS: connect, produce a batch with acks=all, check broker/topic metadata, disconnect.
 * Swapping the client (e.g. to a librdkafka binding) stays local to this file.
 *
 * Timeouts are short on purpose: the ingress must answer Fluent within seconds (503 + Retry-After lets Fluent retry),
 * so a produce may not sit in KafkaJS's default retry loop for half a minute.
 */
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClientConfig, kafkaLogCreator, type ConnectionConfig } from '../common/index.js';

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface ProducerAdapter {
  connect(): Promise<void>;
  /** Produces the messages in one call; resolves once all are acknowledged by all in-sync replicas (acks=-1). */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Throws unless the broker answers a metadata request for `topic` (exists and has leaders). */
  checkTopic(topic: string): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaAdapterOptions {
  logger: Logger;
  /** Per-request timeout towards the broker, ms (default 3000). */
  requestTimeoutMs?: number;
  /** TCP connect timeout, ms (default 1000). */
  connectionTimeoutMs?: number;
  /** Client-level retries for one produce call (default 2; the batcher bounds the total time anyway). */
  retries?: number;
}

export function createKafkaAdapter(config: ConnectionConfig['kafka'], options: KafkaAdapterOptions): ProducerAdapter {
  const retry = { retries: options.retries ?? 2, initialRetryTime: 100, maxRetryTime: 1_000 };
  const kafka = new Kafka(
    kafkaClientConfig(config, {
      requestTimeout: options.requestTimeoutMs ?? 3_000,
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
      retry,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger.child({ component: 'kafkajs' })),
    }),
  );
  // Java-compatible murmur2 partitioning, so every client maps an order ref to the same partition.
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    retry,
  });
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let adminConnected: Promise<void> | undefined;

  return {
    async connect() {
      await producer.connect();
    },
    async send(topic, messages) {
      await producer.send({ topic, acks: -1, timeout: options.requestTimeoutMs ?? 3_000, messages });
    },
    async checkTopic(topic) {
      adminConnected ??= admin.connect().catch((error: unknown) => {
        adminConnected = undefined;
        throw error;
      });
      await adminConnected;
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
      const leaderless = partitions.filter((p) => p.leader < 0).length;
      if (leaderless > 0) throw new Error(`topic ${topic}: ${leaderless} partition(s) without a leader`);
    },
    async disconnect() {
      await Promise.allSettled([producer.disconnect(), adminConnected ? admin.disconnect() : Promise.resolve()]);
    },
  };
}
