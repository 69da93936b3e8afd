/**
 * Reads offset ranges of a topic without touching any real consumer group.
 *
 * Reading uses a throwaway consumer group (`fc-connector-cli.<purpose>.<uuid>`) that never commits and is deleted
 * afterwards: KafkaJS has no manual partition assignment, and a never-committing private group leaves the
 * processor's group and its offsets untouched.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { CliKafka } from './kafka.js';

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

export type ChunkHandler = (chunk: ReadChunk) => Promise<void | 'stop'>;

/**
 * Reads every record in `ranges` of `topic`, in offset order per partition, handing chunks to `handle` one at a
 * time (never concurrently). `handle` may return 'stop' to end the read early (e.g. a --limit was reached).
 */
export async function readRanges(
  client: CliKafka,
  topic: string,
  ranges: readonly PartitionRange[],
  handle: ChunkHandler,
  options: ReadOptions,
): Promise<ReadResult> {
  const read = new RangeRead(ranges, handle, options.chunkSize ?? 500);
  if (read.pending.size === 0) return 'complete';
  if (options.signal?.aborted) return 'interrupted';
  const groupId = `fc-connector-cli.${options.purpose}.${randomUUID()}`;
  const consumer = throwawayConsumer(client, groupId);
  const onAbort = (): void => read.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (event) => read.fail(event.payload.error));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => read.onBatch(payload),
    });
    for (const range of read.pending.values()) {
      consumer.seek({ topic, partition: range.partition, offset: String(range.start) });
    }
    const outcome = await read.finished;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    // Never committed, so there is nothing to lose; deleting keeps group listings clean.
    await client.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

function throwawayConsumer(client: CliKafka, groupId: string): Consumer {
  return client.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    sessionTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 200 },
  });
}

/**
 * Splits one fetched batch into the chunks handed to the caller: only records inside `range`, at most `chunkSize`
 * each, and always at least one chunk (possibly empty) so the position moves past gaps. `batchEnd` is the batch's
 * last offset + 1.
 */
export function chunkBatch(
  partition: number,
  messages: readonly KafkaMessage[],
  range: PartitionRange,
  batchEnd: bigint,
  chunkSize: number,
): ReadChunk[] {
  const inRange = messages.filter((m) => {
    const offset = BigInt(m.offset);
    return offset >= range.start && offset < range.end;
  });
  const reached = batchEnd < range.end ? batchEnd : range.end;
  const chunks: ReadChunk[] = [];
  for (let i = 0; i < inRange.length || i === 0; i += chunkSize) {
    const slice = inRange.slice(i, i + chunkSize);
    const last = slice[slice.length - 1];
    const nextOffset = i + chunkSize >= inRange.length || !last ? reached : BigInt(last.offset) + 1n;
    chunks.push({ partition, messages: slice, nextOffset });
  }
  return chunks;
}

/** The state of one read: what is left per partition, and when (and how) it ends. */
class RangeRead {
  readonly pending: Map<number, PartitionRange>;
  readonly finished: Promise<ReadResult | Error>;
  private settle: (outcome: ReadResult | Error) => void = () => undefined;
  private stopping: ReadResult | undefined;
  private busy = false;

  constructor(
    ranges: readonly PartitionRange[],
    private readonly handle: ChunkHandler,
    private readonly chunkSize: number,
  ) {
    this.pending = new Map(ranges.filter((r) => r.start < r.end).map((r) => [r.partition, r]));
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** Interrupted: ends now when idle, else once the in-flight chunk is handled. */
  abort(): void {
    this.stopping ??= 'interrupted';
    if (!this.busy) this.settle(this.stopping);
  }

  fail(error: Error): void {
    this.settle(error);
  }

  async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const range = this.pending.get(batch.partition);
    if (!range || this.stopping) {
      payload.pause();
      return;
    }
    this.busy = true;
    try {
      await this.handleChunks(payload, range);
      if (!this.pending.has(batch.partition)) payload.pause();
      if (this.stopping) this.settle(this.stopping);
      else if (this.pending.size === 0) this.settle('complete');
    } catch (error) {
      this.stopping = 'stopped';
      this.settle(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.busy = false;
    }
  }

  private async handleChunks(payload: EachBatchPayload, range: PartitionRange): Promise<void> {
    const { batch } = payload;
    const batchEnd = BigInt(batch.lastOffset()) + 1n;
    for (const chunk of chunkBatch(batch.partition, batch.messages, range, batchEnd, this.chunkSize)) {
      const verdict = await this.handle(chunk);
      this.advance(range, chunk.nextOffset);
      if (verdict === 'stop') this.stopping ??= 'stopped';
      if (this.stopping) return;
      await payload.heartbeat();
    }
  }

  private advance(range: PartitionRange, nextOffset: bigint): void {
    if (nextOffset >= range.end) this.pending.delete(range.partition);
    else this.pending.set(range.partition, { ...range, start: nextOffset });
  }
}
