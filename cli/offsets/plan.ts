/**
 * `offsets reset` plan (pure): per partition, the committed offset, the new one and what the move does to the lag.
 * Lag is measured against the end offset read when planning. A partition the group never committed counts from the
 * first available offset, because the processor subscribes from the beginning (docs/architecture.md, "Kafka contract").
 */
import type { PartitionOffsets } from '../kafka.js';

export interface OffsetTarget {
  /** First offset per partition at or after a time; a partition missing here goes to its end. */
  byTime?: ReadonlyMap<number, bigint>;
  earliest?: boolean;
}

export interface PlanRow {
  topic: string;
  partition: number;
  /** Committed offset, or null when the group never committed on this partition. */
  current: string | null;
  /** The offset the reset commits. */
  target: string;
  /** Records the group is behind now (end − current, or end − first offset when nothing is committed). */
  lagBefore: string;
  /** Records the group will be behind after the reset (end − target). */
  lagAfter: string;
}

/** The new offset of one partition for the chosen target. */
export function targetOffset(bounds: PartitionOffsets, target: OffsetTarget): bigint {
  if (target.byTime) return target.byTime.get(bounds.partition) ?? bounds.high;
  return target.earliest ? bounds.low : bounds.high;
}

/** One plan row per partition of `topic`; `committed` maps partition → committed offset (negative = none). */
export function planTopic(
  topic: string,
  bounds: readonly PartitionOffsets[],
  committed: ReadonlyMap<number, string>,
  target: OffsetTarget,
): PlanRow[] {
  return bounds.map((b) => {
    const raw = committed.get(b.partition);
    const current = raw === undefined || BigInt(raw) < 0n ? null : raw;
    const to = targetOffset(b, target);
    const from = current === null ? b.low : BigInt(current);
    return {
      topic,
      partition: b.partition,
      current,
      target: String(to),
      lagBefore: String(nonNegative(b.high - from)),
      lagAfter: String(nonNegative(b.high - to)),
    };
  });
}

/** A committed offset past the end (the topic was recreated) counts as no lag, not negative lag. */
function nonNegative(value: bigint): bigint {
  return value < 0n ? 0n : value;
}
