/**
 * Moving the records of a replay plan (Kafka and the checkpoint file; no printing): each chunk's selected records
 * are produced with acks=all and only then is the position saved, so an interrupted replay resumes without
 * duplicates. The dry run reads the same records and only counts them.
 */
import { iso } from '../format.js';
import { connectProducer, type CliKafka } from '../kafka.js';
import { readRanges, type PartitionRange, type ReadResult } from '../read-ranges.js';
import { matches, replayMessage, summarize, type RecordFilter, type RecordSummary } from '../records.js';
import { saveCheckpoint, type ReplayCheckpoint } from './checkpoint.js';
import type { ReplayPlan } from './plan.js';

/** Totals of this run so far, reported after every acknowledged and checkpointed batch. */
export interface ReplayProgress {
  readonly partition: number;
  /** Records produced by the batch just saved. */
  readonly batchReplayed: number;
  readonly nextOffset: bigint;
  readonly scanned: number;
  readonly replayed: number;
}

export interface ReplayRunOptions {
  readonly batchSize: number;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
  /** Observer: called after each batch is acknowledged and its position saved. */
  readonly onBatch?: ((progress: ReplayProgress) => void) | undefined;
}

export interface ReplayRunResult {
  readonly result: ReadResult;
  /** Scanned and replayed in this run (the checkpoint holds the totals across runs). */
  readonly scanned: number;
  readonly replayed: number;
  readonly seconds: number;
}

/**
 * Replays `ranges` of `plan.source` to `plan.target`, advancing `checkpoint` (saved at `plan.checkpointPath`) batch
 * by batch, and marks it complete when every range was read.
 */
export async function runReplay(
  client: CliKafka,
  plan: ReplayPlan,
  checkpoint: ReplayCheckpoint,
  ranges: readonly PartitionRange[],
  options: ReplayRunOptions,
): Promise<ReplayRunResult> {
  const { now } = options;
  const producer = await connectProducer(client);
  let scanned = 0;
  let replayed = 0;
  const started = now();
  let result: ReadResult;
  try {
    result = await readRanges(
      client,
      plan.source,
      ranges,
      async (chunk) => {
        const replayAt = now();
        const selected = chunk.messages.filter((m) => matches(summarize(chunk.partition, m), plan.filter));
        if (selected.length > 0) {
          await producer.send({
            topic: plan.target,
            acks: -1,
            messages: selected.map((m) =>
              replayMessage({ topic: plan.source, partition: chunk.partition }, m, replayAt),
            ),
          });
        }
        // Only after the ack: advance the position.
        const position = checkpoint.partitions[String(chunk.partition)];
        if (position) position.next = String(chunk.nextOffset);
        scanned += chunk.messages.length;
        replayed += selected.length;
        checkpoint.scanned += chunk.messages.length;
        checkpoint.replayed += selected.length;
        checkpoint.updatedAt = iso(now());
        await saveCheckpoint(plan.checkpointPath, checkpoint);
        options.onBatch?.({
          partition: chunk.partition,
          batchReplayed: selected.length,
          nextOffset: chunk.nextOffset,
          scanned,
          replayed,
        });
      },
      { purpose: 'replay', chunkSize: options.batchSize, signal: options.signal },
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  const seconds = Math.max((now() - started) / 1000, 0.001);
  if (result === 'complete') await completeCheckpoint(plan, checkpoint, now());
  return { result, scanned, replayed, seconds };
}

export async function completeCheckpoint(plan: ReplayPlan, checkpoint: ReplayCheckpoint, now: number): Promise<void> {
  checkpoint.status = 'complete';
  checkpoint.updatedAt = iso(now);
  await saveCheckpoint(plan.checkpointPath, checkpoint);
}

export interface DryRunScan {
  readonly result: ReadResult;
  readonly scanned: number;
  /** Matching records per partition. */
  readonly perPartition: ReadonlyMap<number, number>;
  /** The first `sample` matching records. */
  readonly samples: readonly RecordSummary[];
}

/** Reads the records a replay would move and counts the matches; produces and saves nothing. */
export async function scanReplay(
  client: CliKafka,
  source: string,
  ranges: readonly PartitionRange[],
  filter: RecordFilter,
  options: { sample: number; signal?: AbortSignal | undefined },
): Promise<DryRunScan> {
  const perPartition = new Map<number, number>();
  const samples: RecordSummary[] = [];
  let scanned = 0;
  const result = await readRanges(
    client,
    source,
    ranges,
    (chunk) => {
      for (const m of chunk.messages) {
        scanned += 1;
        const s = summarize(chunk.partition, m);
        if (!matches(s, filter)) continue;
        perPartition.set(chunk.partition, (perPartition.get(chunk.partition) ?? 0) + 1);
        if (samples.length < options.sample) samples.push(s);
      }
      return Promise.resolve();
    },
    { purpose: 'replay-dry-run', signal: options.signal },
  );
  return { result, scanned, perPartition, samples };
}
