/**
 * The CLI's thin KafkaJS adapter: connect with a short timeout (unreachable brokers fail fast with their names),
 * check topics exist, read offsets, produce with acks=all and commit a group's offsets. Reading records lives in
 * read-ranges.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type Producer } from 'kafkajs';
import { pino, type Logger } from 'pino';
import {
  kafkaClientConfig,
  kafkaLogCreator,
  kafkaSecurityError,
  REDACT_PATHS,
  type ConnectionConfig,
} from '../common/index.js';
import { brokersUnreachable, unknownTopics } from './errors.js';
import type { OutputStream } from './io.js';

export interface CliKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly brokers: readonly string[];
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** TCP connect timeout per broker (ms). */
  connectTimeoutMs: number;
  /** Forward KafkaJS logs (warn and above) to this stream; default: silent. */
  logTo?: OutputStream | undefined;
}

export async function connectKafka(config: ConnectionConfig['kafka'], options: ConnectOptions): Promise<CliKafka> {
  const kafka = new Kafka(
    kafkaClientConfig(config, {
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: 30_000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: options.logTo ? logLevel.WARN : logLevel.NOTHING,
      logCreator: kafkaLogCreator(kafkaLogger(options.logTo)),
    }),
  );
  const admin = kafka.admin();
  try {
    await admin.connect();
    // connect() alone may succeed lazily; a metadata round trip proves a broker answers.
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    // Refused TLS or SASL settings name the variable to fix (exit 2), unlike an unreachable broker.
    throw kafkaSecurityError(error, config) ?? brokersUnreachable(config.brokers, error);
  }
  return {
    kafka,
    admin,
    brokers: config.brokers,
    close: () => admin.disconnect(),
  };
}

/** KafkaJS warnings as pino JSON lines on `logTo` (--verbose); silent without it. Secrets are redacted. */
function kafkaLogger(logTo: OutputStream | undefined): Logger {
  if (!logTo) return pino({ level: 'silent' });
  return pino(
    { level: 'warn', base: { service: 'fc-connector' }, redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } },
    { write: (line: string) => void logTo.write(line) },
  );
}

/**
 * Runs an admin call again while Kafka answers with a retriable error (e.g. UNKNOWN_TOPIC_OR_PARTITION or
 * LEADER_NOT_AVAILABLE), for at most `timeoutMs`. A restarted KRaft broker answers metadata requests that way for a
 * while (topics still being loaded or deleted), beyond KafkaJS's own short retry, which the CLI keeps short so that
 * unreachable brokers fail fast.
 */
export async function whileRetriable<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw error;
    }
    await sleep(250);
  }
}

/**
 * Creates topics and waits until every partition has a leader. KafkaJS's own `waitForLeaders` gives up on
 * UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a moment after creation, so the wait is done here:
 * poll the metadata until leaders are known. Returns false when some topics already existed (created concurrently),
 * like `admin.createTopics`.
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: readonly ITopicConfig[],
  timeoutMs = 30_000,
): Promise<boolean> {
  const created = await whileRetriable(
    () => admin.createTopics({ topics: [...topics], waitForLeaders: false }),
    timeoutMs,
  );
  const expected = new Map(topics.map((t) => [t.topic, t.numPartitions ?? 1]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { topics: found } = await whileRetriable(
      () => admin.fetchTopicMetadata({ topics: [...expected.keys()] }),
      Math.max(0, deadline - Date.now()),
    );
    const ready = found.filter(
      (t) => t.partitions.length >= (expected.get(t.name) ?? 1) && t.partitions.every((p) => p.leader >= 0),
    );
    if (ready.length === expected.size) return created;
    if (Date.now() > deadline) {
      throw new Error(`topics ${[...expected.keys()].join(', ')} have no partition leaders after ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

/** Throws UnknownTopicError naming every missing topic. */
export async function requireTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  const existing = new Set(await whileRetriable(() => admin.listTopics()));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw unknownTopics(missing);
}

export interface PartitionOffsets {
  readonly partition: number;
  /** First available offset. */
  readonly low: bigint;
  /** Next offset to be written (end, exclusive). */
  readonly high: bigint;
}

export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** First offset per partition whose record timestamp is >= `timestamp` (the high watermark when there is none). */
export async function offsetsForTimestamp(
  admin: Admin,
  topic: string,
  timestamp: number,
): Promise<Map<number, bigint>> {
  const [byTime, bounds] = await Promise.all([
    admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
    partitionOffsets(admin, topic),
  ]);
  const high = new Map(bounds.map((b) => [b.partition, b.high]));
  return new Map(
    byTime.map((o) => {
      const offset = BigInt(o.offset);
      return [o.partition, offset < 0n ? (high.get(o.partition) ?? 0n) : offset];
    }),
  );
}

/**
 * Idempotent producer with acks=all: a batch counts as written only once every in-sync replica has it. Partitions by
 * key like the ingress and the processor (Java-compatible murmur2), so a replayed record joins its order's partition.
 */
export async function connectProducer(client: CliKafka): Promise<Producer> {
  const producer = client.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

export interface GroupOffsets {
  readonly topic: string;
  readonly partitions: readonly { partition: number; offset: string }[];
}

/**
 * Commits offsets for an EMPTY consumer group (the caller checks). Like KafkaJS admin.setOffsets, it joins the
 * group briefly as its only member, seeks (which commits, with autoCommit on) and leaves — but for all topics in
 * one join and with a short fetch wait, so a reset takes well under a second instead of ~10 s per topic.
 * The committed offsets are read back and compared: a mismatch is an error, never a silent partial reset.
 */
export async function commitGroupOffsets(
  client: CliKafka,
  groupId: string,
  plan: readonly GroupOffsets[],
): Promise<void> {
  const consumer = client.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    for (const { topic } of plan) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
      consumer
        .run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() })
        .then(() => {
          // Nothing is consumed: the partitions are paused; seeking commits the new positions.
          consumer.pause(plan.map(({ topic }) => ({ topic })));
          for (const { topic, partitions } of plan) {
            for (const p of partitions) consumer.seek({ topic, partition: p.partition, offset: p.offset });
          }
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const committed = await client.admin.fetchOffsets({ groupId, topics: plan.map((p) => p.topic) });
  const wrong = plan.flatMap(({ topic, partitions }) =>
    partitions
      .filter(
        (p) =>
          committed.find((t) => t.topic === topic)?.partitions.find((c) => c.partition === p.partition)?.offset !==
          p.offset,
      )
      .map((p) => `${topic}:${p.partition}`),
  );
  if (wrong.length > 0) {
    throw new Error(`offsets were not committed for ${wrong.join(', ')}; run the command again (it is idempotent)`);
  }
}
