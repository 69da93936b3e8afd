/**
 * A replay's positions (pure): the offset ranges frozen when it is planned, what is left of them, starting them over
 * for --force, and moving past offsets the source no longer has.
 */
import { iso } from '../format.js';
import type { PartitionOffsets } from '../kafka.js';
import type { PartitionRange } from '../read-ranges.js';
import type { ReplayCheckpoint } from './checkpoint.js';
import type { ReplayPlan } from './plan.js';

/** A fresh checkpoint: every range frozen at its current end, nothing read yet. */
export function newCheckpoint(plan: ReplayPlan, ranges: readonly PartitionRange[], now: number): ReplayCheckpoint {
  return {
    version: 1,
    id: plan.id,
    selectionKey: plan.selectionKey,
    sourceTopic: plan.source,
    targetTopic: plan.target,
    filter: plan.filter,
    selection: plan.selection,
    createdAt: iso(now),
    updatedAt: iso(now),
    status: 'in-progress',
    scanned: 0,
    replayed: 0,
    skipped: 0,
    partitions: Object.fromEntries(
      ranges.map((r) => [String(r.partition), { start: String(r.start), end: String(r.end), next: String(r.start) }]),
    ),
  };
}

/**
 * --force: the same replay from the start of its frozen ranges. Neither the selection nor the ends are resolved
 * again, so it replays the same records and never what was written since (such as a main-to-main replay's copies).
 */
export function restartCheckpoint(checkpoint: ReplayCheckpoint, now: number): ReplayCheckpoint {
  return {
    ...checkpoint,
    updatedAt: iso(now),
    status: 'in-progress',
    scanned: 0,
    replayed: 0,
    skipped: 0,
    partitions: Object.fromEntries(
      Object.entries(checkpoint.partitions).map(([p, r]) => [p, { start: r.start, end: r.end, next: r.start }]),
    ),
  };
}

/**
 * What is left to read: from each partition's saved position to its frozen end — and, given the source's current
 * offsets, no further than its high watermark (offsets past it do not exist and would never be read).
 */
export function remainingRanges(checkpoint: ReplayCheckpoint, offsets?: readonly PartitionOffsets[]): PartitionRange[] {
  return Object.entries(checkpoint.partitions).map(([key, r]) => {
    const partition = Number(key);
    const start = BigInt(r.next);
    const high = offsets === undefined ? undefined : (offsetsOf(offsets, partition)?.high ?? 0n);
    const end = high !== undefined && high < BigInt(r.end) ? high : BigInt(r.end);
    return { partition, start, end: end < start ? start : end };
  });
}

/** Offsets of a replay's selection that the source no longer has: [from, to) of one partition. */
export interface SkippedOffsets {
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * Moves each position past the offsets the source no longer has (its current low/high watermarks): retention may
 * delete the rest of a partition while a replay is stopped, and a range with nothing left to read would never yield
 * a batch, so it counts as read. Counts what was skipped in the checkpoint and returns it, for the operator.
 */
export function skipUnavailable(checkpoint: ReplayCheckpoint, offsets: readonly PartitionOffsets[]): SkippedOffsets[] {
  const skipped: SkippedOffsets[] = [];
  for (const [key, position] of Object.entries(checkpoint.partitions)) {
    const partition = Number(key);
    const next = BigInt(position.next);
    const end = BigInt(position.end);
    if (next >= end) continue;
    const found = offsetsOf(offsets, partition) ?? { low: end, high: end };
    const readableEnd = found.high < end ? found.high : end;
    let moved = found.low > next ? found.low : next;
    if (moved >= readableEnd) moved = end;
    if (moved === next) continue;
    position.next = String(moved);
    skipped.push({ partition, from: next, to: moved });
    checkpoint.skipped = (checkpoint.skipped ?? 0) + Number(moved - next);
  }
  return skipped;
}

function offsetsOf(offsets: readonly PartitionOffsets[], partition: number): PartitionOffsets | undefined {
  return offsets.find((o) => o.partition === partition);
}
