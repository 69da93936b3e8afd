/**
 * The naive baseline for the processor benchmark (test/bench/README.md, "Targets"): what a first KafkaJS consumer usually looks like.
 * `eachMessage`, KafkaJS defaults (partitionsConsumedConcurrently 1, so one record at a time across all partitions),
 * auto-commit, and the SAME handler object the real processor uses (createOrderStatusHandler), so the only
 * difference measured is the runtime around it: no per-key lanes, no concurrency, no retry tiers.
 * A failed record is counted and skipped (a naive consumer has no retry topics); the benchmark's correctness check
 * would then fail the run.
 */
import { EventEmitter } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { MessageHandler } from '../../processor/handler.js';
import { toWebhookPayload, type RawHeaders, type WebhookSerde } from '../../schemas/index.js';

export interface NaiveProcessorOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly handler: MessageHandler;
  readonly serde: WebhookSerde;
  readonly logger: Logger;
}

export interface NaiveProcessor {
  /** 'record' ({outcome}) per finished record; 'ready' once the group is joined. */
  readonly events: EventEmitter;
  /** True once the consumer has joined its group (the join often completes inside consumer.run()). */
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startNaiveProcessor(options: NaiveProcessorOptions): Promise<NaiveProcessor> {
  const { handler, serde, logger, topic } = options;
  const kafka = new Kafka({ clientId: 'naive-processor', brokers: [...options.brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: options.groupId });
  const events = new EventEmitter();
  const abort = new AbortController();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    events.emit('ready');
  });
  await handler.start?.();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic: from, partition, message }) => {
      try {
        const record = await serde.decode(message.value);
        const outcome = await handler.handle({
          record,
          payload: toWebhookPayload(record),
          key: message.key?.toString() ?? '',
          topic: from,
          partition,
          offset: message.offset,
          headers: message.headers as RawHeaders,
          attempt: 1,
          logger,
          signal: abort.signal,
        });
        events.emit('record', { outcome: outcome.status });
      } catch (error) {
        logger.warn({ err: String(error), offset: message.offset }, 'naive processor: record failed; skipped');
        events.emit('record', { outcome: 'failed' });
      }
    },
  });
  return {
    events,
    ready: () => joined,
    async stop() {
      abort.abort();
      await consumer.disconnect();
      await handler.close?.();
    },
  };
}
