/**
 * Thin KafkaJS adapter for the processor: one consumer (group member), one producer for retry/DLQ records and an
 * admin client for the start-up checks. KafkaJS's own logs (warn and above) go to pino through the common adapter,
 * so there is one log stream.
 */
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClientConfig, kafkaLogCreator } from '../common/index.js';
import type { ProcessorRuntimeConfig } from './config.js';
import type { OutgoingRecord } from './failure-records.js';

export interface ProcessorKafka {
  readonly consumer: Consumer;
  readonly producer: Producer;
  /** For the start-up checks (startup-checks.ts); connected only while they run. */
  readonly admin: Admin;
  /** Produces one retry/DLQ record and resolves only once every in-sync replica has it (acks=-1). */
  readonly produce: (record: OutgoingRecord) => Promise<void>;
}

export function createProcessorKafka(config: ProcessorRuntimeConfig, logger: Logger): ProcessorKafka {
  const kafka = new Kafka(
    kafkaClientConfig(config.connection.kafka, {
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(logger.child({ component: 'kafka' })),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
    }),
  );
  const consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(60_000, config.shutdownTimeoutMs + 10_000),
    maxBytes: config.fetch.maxBytes,
    maxBytesPerPartition: config.fetch.maxBytesPerPartition,
    minBytes: config.fetch.minBytes,
    maxWaitTimeInMs: config.fetch.maxWaitTimeInMs,
    allowAutoTopicCreation: false,
  });
  // The ingress's partitioner (Java-compatible murmur2; docs/architecture.md, "Kafka contract"): a retry or DLQ record
  // lands on the partition its key has on the main topic (with equal partition counts), as with any Java client.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  return {
    consumer,
    producer,
    admin: kafka.admin(),
    produce: async (record) => {
      await producer.send({
        topic: record.topic,
        acks: -1,
        messages: [{ key: record.key, value: record.value, headers: record.headers }],
      });
    },
  };
}
