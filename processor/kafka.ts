/**
 * Thin KafkaJS adapter for the processor: one consumer (group member) and one producer for retry/DLQ records.
 * KafkaJS's own logs (warn and above) go to pino through the common adapter, so there is one log stream.
 */
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClientConfig, kafkaLogCreator } from '../common/index.js';
import type { ProcessorRuntimeConfig } from './config.js';
import type { OutgoingRecord } from './failure-records.js';

export interface ProcessorKafka {
  readonly consumer: Consumer;
  readonly producer: Producer;
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
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  return {
    consumer,
    producer,
    produce: async (record) => {
      await producer.send({
        topic: record.topic,
        acks: -1,
        messages: [{ key: record.key, value: record.value, headers: record.headers }],
      });
    },
  };
}
