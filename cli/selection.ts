/**
 * Turns a selection (time range and/or offset bounds) into per-partition offset ranges of a topic.
 *
 *  - `--since`/`--until` are located with the broker's time index (first offset whose timestamp >= t), and also
 *    applied per record, since producer timestamps need not be monotonic.
 *  - `--from-offset`/`--to-offset` are inclusive; a bare number applies to every partition, `p:o` pairs to one
 *    partition each. When only `p:o` pairs are given, only those partitions are read.
 */
import type { Admin } from 'kafkajs';
import { usageError } from './errors.js';
import { offsetsForTimestamp, partitionOffsets } from './kafka.js';
import type { PartitionRange } from './read-ranges.js';
import { boundFor, type OffsetBounds } from './parse.js';

export interface Selection {
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly fromOffset?: OffsetBounds | undefined;
  readonly toOffset?: OffsetBounds | undefined;
}

export async function resolveRanges(admin: Admin, topic: string, selection: Selection): Promise<PartitionRange[]> {
  if (selection.since !== undefined && selection.until !== undefined && selection.since >= selection.until) {
    throw usageError('--since must be earlier than --until.');
  }
  const bounds = await partitionOffsets(admin, topic);
  const named = new Set([
    ...(selection.fromOffset?.byPartition.keys() ?? []),
    ...(selection.toOffset?.byPartition.keys() ?? []),
  ]);
  for (const partition of named) {
    if (!bounds.some((b) => b.partition === partition)) {
      throw usageError(
        `partition ${partition} does not exist in ${topic} (it has ${bounds.length} partitions: 0–${bounds.length - 1}).`,
      );
    }
  }
  const onlyNamed = named.size > 0 && selection.fromOffset?.all === undefined && selection.toOffset?.all === undefined;
  const [sinceOffsets, untilOffsets] = await Promise.all([
    selection.since === undefined ? undefined : offsetsForTimestamp(admin, topic, selection.since),
    selection.until === undefined ? undefined : offsetsForTimestamp(admin, topic, selection.until),
  ]);
  return bounds
    .filter((b) => !onlyNamed || named.has(b.partition))
    .map((b) => {
      let start = b.low;
      let end = b.high;
      const from = boundFor(selection.fromOffset, b.partition);
      const to = boundFor(selection.toOffset, b.partition);
      const sinceOffset = sinceOffsets?.get(b.partition);
      const untilOffset = untilOffsets?.get(b.partition);
      if (from !== undefined && from > start) start = from;
      if (sinceOffset !== undefined && sinceOffset > start) start = sinceOffset;
      if (to !== undefined && to + 1n < end) end = to + 1n;
      if (untilOffset !== undefined && untilOffset < end) end = untilOffset;
      return { partition: b.partition, start, end: end < start ? start : end };
    });
}

export function countInRanges(ranges: readonly PartitionRange[]): bigint {
  return ranges.reduce((sum, r) => sum + (r.end - r.start), 0n);
}
