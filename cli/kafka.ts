/**
 * The CLI's thin KafkaJS adapter: connect with a short timeout (unreachable brokers fail fast with their names),
 * check topics exist, read offset ranges without touching any real consumer group, and produce with acks=all.
 *
 * Reading uses a throwaway consumer group (`fc-connector-cli.<purpose>.<uuid>`) that never commits and is deleted
 * afterwards: KafkaJS has no manual partition assignment, and a never-committing private group leaves the
 * processor's group and its offsets untouched.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Kafka,
  logLevel,
  type Admin,
  type ITopicConfig,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { kafkaClientConfig, type ConnectionConfig } from '../common/index.js';
import { BrokersUnreachableError, UnknownTopicError } from './errors.js';
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
  const logTo = options.logTo;
  const kafka = new Kafka(
    kafkaClientConfig(config, {
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: 30_000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logTo ? logLevel.WARN : logLevel.NOTHING,
      logCreator:
        () =>
        ({ namespace, level, log }: LogEntry) => {
          if (!logTo) return;
          const { message, ...rest } = log;
          logTo.write(`kafkajs ${logLevel[level]} [${namespace}] ${message} ${JSON.stringify(rest)}\n`);
        },
    }),
  );
  const admin = kafka.admin();
  try {
    await admin.connect();
    // connect() alone may succeed lazily; a metadata round trip proves a broker answers.
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new BrokersUnreachableError(config.brokers, error);
  }
  return {
    kafka,
    admin,
    brokers: config.brokers,
    close: () => admin.disconnect(),
  };
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
  if (missing.length > 0) throw new UnknownTopicError(missing);
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

/** Half-open offset range [start, end) of one partition. */
export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
}

export interface ReadChunk {
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** Offset to resume from once this chunk is handled (covers gaps such as compacted or control records). */
  readonly nextOffset: bigint;
}

export interface ReadOptions {
  /** Names the throwaway group for operators who see it in group listings. */
  purpose: string;
  /** Largest number of messages handed to `handle` at once (default 500). */
  chunkSize?: number;
  /** Stop after the in-flight chunk when aborted. */
  signal?: AbortSignal | undefined;
}

export type ReadResult = 'complete' | 'interrupted' | 'stopped';

/**
 * Reads every record in `ranges` of `topic`, in offset order per partition, handing chunks to `handle` one at a
 * time (never concurrently). `handle` may return 'stop' to end the read early (e.g. a --limit was reached).
 */
export async function readRanges(
  client: CliKafka,
  topic: string,
  ranges: readonly PartitionRange[],
  handle: (chunk: ReadChunk) => Promise<void | 'stop'>,
  options: ReadOptions,
): Promise<ReadResult> {
  const pending = new Map(ranges.filter((r) => r.start < r.end).map((r) => [r.partition, r]));
  if (pending.size === 0) return 'complete';
  if (options.signal?.aborted) return 'interrupted';
  const chunkSize = options.chunkSize ?? 500;
  const groupId = `fc-connector-cli.${options.purpose}.${randomUUID()}`;
  const consumer = client.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    sessionTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 200 },
  });

  let settle: (result: ReadResult | Error) => void = () => undefined;
  const finished = new Promise<ReadResult | Error>((resolve) => (settle = resolve));
  let stopping: ReadResult | undefined;
  let busy = false;
  const onAbort = (): void => {
    stopping ??= 'interrupted';
    if (!busy) settle(stopping);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (event) => settle(event.payload.error));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, pause, heartbeat }) => {
        const range = pending.get(batch.partition);
        if (!range || stopping) {
          pause();
          return;
        }
        busy = true;
        try {
          const inRange = batch.messages.filter((m) => {
            const o = BigInt(m.offset);
            return o >= range.start && o < range.end;
          });
          const batchNext = BigInt(batch.lastOffset()) + 1n;
          const reachedNext = batchNext < range.end ? batchNext : range.end;
          for (let i = 0; i < inRange.length || i === 0; i += chunkSize) {
            const messages = inRange.slice(i, i + chunkSize);
            const last = i + chunkSize >= inRange.length;
            const nextOffset = last ? reachedNext : BigInt((messages[messages.length - 1] as KafkaMessage).offset) + 1n;
            const verdict = await handle({ partition: batch.partition, messages, nextOffset });
            pending.set(batch.partition, { ...range, start: nextOffset });
            if (nextOffset >= range.end) pending.delete(batch.partition);
            if (verdict === 'stop') stopping ??= 'stopped';
            if (stopping) break;
            await heartbeat();
          }
          if (!pending.has(batch.partition)) pause();
          if (stopping) settle(stopping);
          else if (pending.size === 0) settle('complete');
        } catch (error) {
          stopping = 'stopped';
          settle(error instanceof Error ? error : new Error(String(error)));
        } finally {
          busy = false;
        }
      },
    });
    for (const range of pending.values())
      consumer.seek({ topic, partition: range.partition, offset: String(range.start) });
    const outcome = await finished;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    // Never committed, so there is nothing to lose; deleting keeps group listings clean.
    await client.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/** Idempotent producer with acks=all: a batch counts as written only once every in-sync replica has it. */
export async function connectProducer(client: CliKafka): Promise<Producer> {
  const producer = client.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
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
        .run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: async () => undefined })
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
