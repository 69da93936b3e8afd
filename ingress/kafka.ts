/**
 * The only file that knows KafkaJS: connect, produce a batch with acks=all, check broker/topic metadata, disconnect.
 * Swapping the client (e.g. to a librdkafka binding) stays local to this file.
 *
 * Timeouts are short on purpose: the ingress must answer Fluent within seconds (503 + Retry-After lets Fluent retry),
 * so one produce request may not sit in KafkaJS's default retry loop for half a minute.
 *
 * Idempotent produce (`idempotent: true`, INGRESS_IDEMPOTENT_PRODUCE): the broker drops a batch it already wrote when
 * the producer sends it again with the same producer id and sequence numbers, so a retry after a lost acks=all reply (a broker killed, a leader election)
 * writes nothing twice. KafkaJS 2.2.4's idempotent producer loses acknowledged records unless it is driven with care
 * (test/reliability/README.md, "Exactly once on the topic"), which is what this file does:
 *
 * - one batch at a time per producer, each partition of it in its own `producer.send`: KafkaJS gives a failed
 *   request's sequence numbers back and the next send to that partition reuses them, so a concurrent send could take
 *   them (the broker then acknowledges it as a duplicate of the earlier batch and drops it), and a send spanning
 *   brokers skips, on retry, a partition that moved to a broker which had already answered;
 * - a partition whose send failed in an unknown way (timeout, connection lost, leader moving) is sent again with the
 *   same records, hence the same sequence numbers, until acknowledged or `retryForMs` has passed: the broker writes it
 *   once either way, so the batch's outcome becomes known instead of being guessed;
 * - when a batch fails anyway, the producer id is replaced: the given-back sequence numbers may belong to records the
 *   broker did write, and a later batch of the same size would be acknowledged as their duplicate without being
 *   written;
 * - a batch still waiting for its turn after `startWithinMs` fails without being sent (never written);
 * - the partitions are spread over several producers (partition p on producer p mod `producers`), because KafkaJS
 *   holds its per-broker lock for the whole of an idempotent request: with one producer a batch's per-partition
 *   requests would queue, one round trip each. The rules above hold per producer; a batch starts once all the
 *   producers it needs are free, so it is still sent whole or dropped whole.
 */
import { Kafka, Partitioners, logLevel, type Admin, type LogEntry, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectorError, kafkaClientConfig, kafkaLogCreator, type ConnectionConfig } from '../common/index.js';

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
  /** Client-level retries for one produce request (default 2; the batcher bounds the answer time anyway). */
  retries?: number;
  /** Idempotent produce (default false: plain acks=all produce, where a retry may write a record twice). */
  idempotent?: boolean;
  /** Idempotent only: how long a partition's records are sent again while their outcome is unknown (default 30 s). */
  retryForMs?: number;
  /** Idempotent only: a batch not started this long after `send()` fails unsent (default: the request timeout). */
  startWithinMs?: number;
  /**
   * Idempotent only: producers the partitions are spread over, partition p on producer p mod this (default 12, the
   * partition count `fc-connector topics create` gives): fewer means a batch's requests to a broker queue.
   */
  producers?: number;
}

/** KafkaJS errors after which the producer id's sequence numbers on the broker no longer match ours. */
const SEQUENCE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** The broker's error type behind a KafkaJS error (KafkaJS wraps it once the retries are exhausted). */
function kafkaErrorType(error: unknown): string | undefined {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** A refusal the broker gave before writing anything (retrying the same records cannot succeed). */
function refusedUnwritten(error: unknown): boolean {
  const e = error as { name?: unknown; retriable?: unknown };
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return false;
  const type = kafkaErrorType(error);
  return e.retriable === false && type !== undefined && !SEQUENCE_LOST.has(type);
}

export function createKafkaAdapter(config: ConnectionConfig['kafka'], options: KafkaAdapterOptions): ProducerAdapter {
  const requestTimeoutMs = options.requestTimeoutMs ?? 3_000;
  const retry = { retries: options.retries ?? 2, initialRetryTime: 100, maxRetryTime: 1_000 };
  const log = options.logger.child({ component: 'kafkajs' });
  const toPino = kafkaLogCreator(log);
  const kafka = new Kafka(
    kafkaClientConfig(config, {
      requestTimeout: requestTimeoutMs,
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
      retry,
      logLevel: logLevel.WARN,
      // The retry bound is deliberate (see above: the sequence numbers are kept across our own retries).
      logCreator: (level) => {
        const write = toPino(level);
        return (entry: LogEntry) => {
          if (!entry.log.message.startsWith('Limiting retries for the idempotent producer')) write(entry);
        };
      },
    }),
  );
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let adminConnected: Promise<void> | undefined;
  const connectAdmin = () =>
    (adminConnected ??= admin.connect().catch((error: unknown) => {
      adminConnected = undefined;
      throw error;
    }));

  const newProducer = (idempotent: boolean): Producer =>
    kafka.producer({
      // Java-compatible murmur2 partitioning, so every client maps an order ref to the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry,
      ...(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}),
    });

  if (options.idempotent !== true) {
    const producer = newProducer(false);
    return {
      connect: () => producer.connect(),
      async send(topic, messages) {
        await producer.send({ topic, acks: -1, timeout: requestTimeoutMs, messages });
      },
      checkTopic: (topic) => checkTopic(admin, connectAdmin, topic),
      async disconnect() {
        await Promise.allSettled([producer.disconnect(), adminConnected ? admin.disconnect() : Promise.resolve()]);
      },
    };
  }

  const idempotent = new IdempotentSender({
    newProducer: () => newProducer(true),
    partitionCount: (topic) => partitionCount(admin, connectAdmin, topic),
    requestTimeoutMs,
    retryForMs: options.retryForMs ?? 30_000,
    startWithinMs: options.startWithinMs ?? requestTimeoutMs,
    logger: options.logger,
    producers: options.producers ?? 12,
  });
  return {
    connect: () => idempotent.connect(),
    send: (topic, messages) => idempotent.send(topic, messages),
    checkTopic: (topic) => checkTopic(admin, connectAdmin, topic),
    async disconnect() {
      await Promise.allSettled([idempotent.disconnect(), adminConnected ? admin.disconnect() : Promise.resolve()]);
    },
  };
}

async function checkTopic(admin: Admin, connect: () => Promise<void>, topic: string): Promise<void> {
  await connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]?.partitions ?? [];
  if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
  const leaderless = partitions.filter((p) => p.leader < 0).length;
  if (leaderless > 0) throw new Error(`topic ${topic}: ${leaderless} partition(s) without a leader`);
}

async function partitionCount(admin: Admin, connect: () => Promise<void>, topic: string): Promise<number> {
  await connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const count = topics[0]?.partitions.length ?? 0;
  if (count === 0) throw new Error(`topic ${topic} has no partitions`);
  return count;
}

export interface IdempotentSenderOptions {
  newProducer: () => Producer;
  partitionCount: (topic: string) => Promise<number>;
  requestTimeoutMs: number;
  retryForMs: number;
  startWithinMs: number;
  logger: Logger;
  /** Producers (each its own producer id, sequence numbers and connections); partition p is sent by p mod producers. */
  producers?: number;
}

/** A connected producer with its own producer id (and so its own sequence numbers). */
interface Session {
  readonly producer: Producer;
  readonly connected: Promise<void>;
}

/** One producer and the partitions it owns (p mod lanes); at most one batch in flight on it. */
interface Lane {
  readonly index: number;
  session: Session | undefined;
  busy: boolean;
}

/** A batch split by lane, then by partition, waiting until every lane it needs is free. */
interface WaitingBatch {
  readonly topic: string;
  /** lane index → that lane's records, one array per partition. */
  readonly parts: Map<number, Message[][]>;
  readonly queuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Partition counts are refreshed this often, like KafkaJS's own metadata (metadataMaxAge). */
const PARTITION_COUNT_MAX_AGE_MS = 300_000;

/**
 * Idempotent produce driven safely (see the file comment); exported for its unit tests.
 *
 * KafkaJS holds a per-broker lock for the whole of an idempotent request, so one producer sends a batch's partitions
 * one round trip after another. Partitions are therefore spread over several producers ("lanes"), each with its own
 * lock and producer id: a batch's per-partition requests run in parallel while every partition still has at most one
 * request in flight. A batch starts only when all its lanes are free (first come, first served per lane), so it is
 * sent whole or dropped whole at its start deadline; a lane is freed as soon as its own part has settled.
 */
export class IdempotentSender {
  private readonly lanes: Lane[];
  private waiting: WaitingBatch[] = [];
  /** Batches not settled yet, so disconnect() can wait for them. */
  private readonly outstanding = new Set<Promise<void>>();
  /** Splits run in send() order, so batches queue in the order they were handed over. */
  private splitting: Promise<unknown> = Promise.resolve();
  private readonly partitions = new Map<string, { count: number; at: number }>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private closed = false;

  constructor(private readonly options: IdempotentSenderOptions) {
    const count = Math.max(1, options.producers ?? 1);
    this.lanes = Array.from({ length: count }, (_, index) => ({ index, session: undefined, busy: false }));
  }

  /** Connects the first producer (the broker is reachable and accepts us); the others connect on first use. */
  async connect(): Promise<void> {
    await this.current(this.lanes[0]!).connected;
  }

  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const queuedAt = performance.now();
    const split = this.splitting.then(() => this.split(topic, messages));
    this.splitting = split.catch(() => undefined);
    const batch = new Promise<void>((resolve, reject) => {
      split.then((parts) => {
        this.waiting.push({ topic, parts, queuedAt, resolve, reject });
        this.startWhatCan();
      }, reject);
    });
    this.outstanding.add(batch);
    const forget = () => this.outstanding.delete(batch);
    batch.then(forget, forget);
    return batch;
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.outstanding]);
    const sessions = this.lanes.flatMap((lane) => (lane.session ? [lane.session] : []));
    for (const lane of this.lanes) lane.session = undefined;
    await Promise.allSettled(sessions.map((session) => session.producer.disconnect()));
  }

  /**
   * Starts, in arrival order, every waiting batch whose lanes are all free and not wanted by an earlier waiting batch
   * (so a lane serves its batches first come, first served); fails unsent those that waited past `startWithinMs`.
   */
  private startWhatCan(): void {
    const now = performance.now();
    const wanted = new Set<number>();
    this.waiting = this.waiting.filter((batch) => {
      const waited = now - batch.queuedAt;
      if (waited > this.options.startWithinMs) {
        batch.reject(
          new ConnectorError(
            'PRODUCE_DEADLINE',
            `produce not started within ${this.options.startWithinMs} ms (waited ${Math.round(waited)} ms behind an earlier batch); nothing was sent`,
          ),
        );
        return false;
      }
      const lanes = [...batch.parts.keys()];
      if (lanes.every((l) => !this.lanes[l]!.busy && !wanted.has(l))) {
        for (const l of lanes) this.lanes[l]!.busy = true;
        // On the next microtask: produce() may free lanes at once, which would re-enter this scan.
        void Promise.resolve()
          .then(() => this.produce(batch))
          .then(batch.resolve, batch.reject);
        return false;
      }
      for (const l of lanes) wanted.add(l);
      return true;
    });
  }

  private free(lane: Lane): void {
    lane.busy = false;
    this.startWhatCan();
  }

  private current(lane: Lane): Session {
    if (this.closed) throw new ConnectorError('BATCHER_CLOSED', 'the Kafka producer is closed');
    if (!lane.session) {
      const producer = this.options.newProducer();
      const session: Session = { producer, connected: producer.connect() };
      // A failed connect is retried by the next batch with a new producer.
      session.connected.catch(() => {
        if (lane.session === session) lane.session = undefined;
      });
      lane.session = session;
    }
    return lane.session;
  }

  /** Drops the lane's session: its next batch gets a new producer id, so no sequence number is used twice. */
  private replace(lane: Lane, session: Session, error: unknown): void {
    if (lane.session !== session) return;
    lane.session = undefined;
    this.options.logger.warn(
      { err: error, kafkaError: kafkaErrorType(error), producer: lane.index },
      'produce failed with its outcome unknown or its sequence numbers out of step; new producer id for the next batch',
    );
    void session.producer.disconnect().catch(() => undefined);
  }

  /** Sends a started batch: every lane connected first (else nothing is sent), then all its partitions at once. */
  private async produce(batch: WaitingBatch): Promise<void> {
    const parts = [...batch.parts].map(([index, records]) => ({ lane: this.lanes[index]!, records }));
    let sessions: Session[];
    try {
      sessions = parts.map(({ lane }) => this.current(lane));
      await Promise.all(sessions.map((session) => session.connected));
    } catch (error) {
      for (const { lane } of parts) this.free(lane);
      throw error;
    }
    const giveUpAt = performance.now() + this.options.retryForMs;
    const failures = await Promise.all(
      parts.map(async ({ lane, records }, i) => {
        const session = sessions[i]!;
        const results = await Promise.allSettled(
          records.map((partition) => this.producePartition(session, batch.topic, partition, giveUpAt)),
        );
        const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        if (failed.length > 0 && !failed.every(refusedUnwritten)) this.replace(lane, session, failed[0]);
        // Nothing of this lane is in flight any more (and its producer id is replaced if it had to be).
        this.free(lane);
        return failed;
      }),
    );
    const failed = failures.flat();
    if (failed.length > 0) throw failed[0];
  }

  /** One partition's records, sent again while their outcome is unknown (same records → same sequence numbers). */
  private async producePartition(session: Session, topic: string, records: Message[], giveUpAt: number) {
    for (let attempt = 1; ; attempt++) {
      try {
        await session.producer.send({ topic, acks: -1, timeout: this.options.requestTimeoutMs, messages: records });
        return;
      } catch (error) {
        const type = kafkaErrorType(error);
        if (refusedUnwritten(error) || (type !== undefined && SEQUENCE_LOST.has(type))) throw error;
        if (performance.now() >= giveUpAt || this.closed) throw error;
        this.options.logger.debug(
          { err: error, kafkaError: type, partition: records[0]?.partition, attempt },
          'produce outcome unknown; sending the same records again',
        );
        // KafkaJS already backed off between its own attempts; this only keeps a fast-failing send from spinning.
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * attempt)));
      }
    }
  }

  /**
   * Groups the messages by lane, then by partition, the partition chosen by KafkaJS's Java-compatible partitioner as
   * `producer.send` would.
   */
  private async split(topic: string, messages: OutgoingMessage[]): Promise<Map<number, Message[][]>> {
    const count = await this.partitionCountOf(topic);
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    }));
    const byPartition = new Map<number, Message[]>();
    for (const message of messages) {
      const partition = this.partitioner({ topic, partitionMetadata, message });
      const records = byPartition.get(partition) ?? [];
      records.push({ ...message, partition });
      byPartition.set(partition, records);
    }
    const byLane = new Map<number, Message[][]>();
    for (const [partition, records] of byPartition) {
      const lane = partition % this.lanes.length;
      byLane.set(lane, [...(byLane.get(lane) ?? []), records]);
    }
    return byLane;
  }

  private async partitionCountOf(topic: string): Promise<number> {
    const known = this.partitions.get(topic);
    if (known && performance.now() - known.at < PARTITION_COUNT_MAX_AGE_MS) return known.count;
    try {
      const count = await this.options.partitionCount(topic);
      this.partitions.set(topic, { count, at: performance.now() });
      return count;
    } catch (error) {
      // Metadata unreachable (a broker going away): the last known count still partitions the same way.
      if (known) return known.count;
      throw error;
    }
  }
}
