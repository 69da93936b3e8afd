/**
 * Argument parsers (pure). Each throws commander's InvalidArgumentError with a message saying what is accepted, so
 * commander prints `error: option '--since <time>' argument 'x' is invalid. <message>` and the CLI exits with 2.
 */
import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../common/index.js';

/** `500ms`, `30s`, `10m`, `12h`, `7d`, `2w`, or a bare number of milliseconds (common/duration.ts), above zero. */
export function durationArg(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError('Use a duration such as 500ms, 30s, 10m, 12h, 7d or 2w.');
  if (ms <= 0) throw new InvalidArgumentError('The duration must be greater than zero.');
  return ms;
}

/** A positive integer within [min, max]. */
export function intParser(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`Use a whole number from ${min} to ${max}.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`Use a whole number from ${min} to ${max}.`);
    return n;
  };
}

/**
 * A point in time, as epoch milliseconds: an ISO 8601 date (`2024-05-01`, midnight UTC) or date-time with a zone
 * (`2024-05-01T10:00:00Z`, `…+02:00`), or `now-<duration>` (`now-2h`). Zone-less date-times are refused because
 * they would silently depend on the machine's time zone.
 */
export function parseDateTime(value: string, now: number = Date.now()): number {
  const text = value.trim();
  const relative = /^now(?:-(.+))?$/.exec(text);
  if (relative) return relative[1] === undefined ? now : now - durationArg(relative[1]);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  if (!dateOnly && !dateTime) {
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) {
      throw new InvalidArgumentError('Add a time zone to the date-time, e.g. 2024-05-01T10:00:00Z or …+02:00.');
    }
    throw new InvalidArgumentError('Use an ISO 8601 date or date-time (2024-05-01, 2024-05-01T10:00:00Z) or now-2h.');
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('This is not a valid calendar date or time.');
  return ms;
}

/** A parsed time with the text the operator typed (kept so `now-2h` names the same replay on every run). */
export interface TimePoint {
  readonly text: string;
  readonly ms: number;
}

export function parseTimePoint(value: string): TimePoint {
  return { text: value.trim(), ms: parseDateTime(value) };
}

export interface PartitionOffset {
  readonly partition: number;
  readonly offset: bigint;
}

/** `<partition>:<offset>`, e.g. `3:1200`. */
export function parsePartitionOffset(value: string): PartitionOffset {
  const match = /^(\d{1,6}):(\d{1,19})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('Use <partition>:<offset>, e.g. 3:1200.');
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

/**
 * Offset bounds per partition: a bare offset applies to every partition (`100`), or `p:o` pairs, comma separated or
 * repeated (`0:100,2:40`). Accumulates across repeated flags.
 */
export interface OffsetBounds {
  /** Applies to partitions without an explicit bound. */
  readonly all?: bigint;
  readonly byPartition: ReadonlyMap<number, bigint>;
}

export function parseOffsetBounds(value: string, previous?: OffsetBounds): OffsetBounds {
  const byPartition = new Map(previous?.byPartition ?? []);
  let all = previous?.all;
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (/^\d{1,19}$/.test(part)) {
      all = BigInt(part);
      continue;
    }
    const match = /^(\d{1,6}):(\d{1,19})$/.exec(part);
    if (!match)
      throw new InvalidArgumentError(`"${part}" is neither an offset (120) nor <partition>:<offset> (3:120).`);
    byPartition.set(Number(match[1]), BigInt(match[2] as string));
  }
  if (byPartition.size === 0 && all === undefined) throw new InvalidArgumentError('Give an offset or p:o pairs.');
  return all === undefined ? { byPartition } : { all, byPartition };
}

export function boundFor(bounds: OffsetBounds | undefined, partition: number): bigint | undefined {
  return bounds?.byPartition.get(partition) ?? bounds?.all;
}

/** Repeatable string option (`--key a --key b` or `--key a,b`). */
export function collectList(value: string, previous: readonly string[] = []): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('Give at least one value.');
  return [...previous, ...items];
}

/** Kafka topic name rules. */
export function parseTopicName(value: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
    throw new InvalidArgumentError('Topic names use 1–249 letters, digits, ".", "_" and "-".');
  }
  return value;
}
