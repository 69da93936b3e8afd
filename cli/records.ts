/**
 * Pure record logic shared by `dlq` and `replay`: a readable summary of a (dead-letter) record from its headers
 * (docs/architecture.md, "Kafka contract"), the selection filter, and the record a replay produces back to the main
 * topic.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { FAILURE_HEADERS, Headers, headerInt, headerString } from '../schemas/index.js';
import type { TimePoint } from './parse.js';

export interface RecordSummary {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** Kafka record timestamp (ms): for DLQ records, when the record was dead-lettered. */
  readonly timestamp: number;
  readonly messageName: string | null;
  readonly eventId: string | null;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number | null;
  /** ISO time from fc-failed-at (falls back to nothing: the record timestamp is reported separately). */
  readonly failedAt: string | null;
  readonly handler: string | null;
  readonly originalTopic: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
}

export function summarize(partition: number, message: KafkaMessage): RecordSummary {
  const h = message.headers;
  const text = (name: string): string | null => headerString(h, name) ?? null;
  return {
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    timestamp: Number(message.timestamp),
    messageName: text(Headers.messageName),
    eventId: text(Headers.eventId),
    errorClass: text(Headers.errorClass),
    errorMessage: text(Headers.errorMessage),
    attempts: headerInt(h, Headers.attempt) ?? null,
    failedAt: normaliseTime(text(Headers.failedAt)),
    handler: text(Headers.handler),
    originalTopic: text(Headers.originalTopic),
    originalPartition: headerInt(h, Headers.originalPartition) ?? null,
    originalOffset: text(Headers.originalOffset),
  };
}

/** fc-failed-at may be ISO text or epoch ms; report ISO either way. */
function normaliseTime(value: string | null): string | null {
  if (value === null || value === '') return null;
  if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString();
  return value;
}

/** What to select. Lists match any of their values; absent criteria match everything. */
export interface RecordFilter {
  readonly names?: readonly string[] | undefined;
  readonly keys?: readonly string[] | undefined;
  readonly errorClasses?: readonly string[] | undefined;
  /** Inclusive lower bound on the record timestamp (ms). */
  readonly since?: number | undefined;
  /** Exclusive upper bound on the record timestamp (ms). */
  readonly until?: number | undefined;
}

/** The filter flags shared by `dlq list` and `replay`. */
export interface FilterOptions {
  name?: string[] | undefined;
  key?: string[] | undefined;
  errorClass?: string[] | undefined;
  since?: TimePoint | undefined;
  until?: TimePoint | undefined;
}

export function filterOf(options: FilterOptions): RecordFilter {
  return {
    names: options.name,
    keys: options.key,
    errorClasses: options.errorClass,
    since: options.since?.ms,
    until: options.until?.ms,
  };
}

export function matches(summary: RecordSummary, filter: RecordFilter): boolean {
  if (filter.names?.length && !filter.names.includes(summary.messageName ?? '')) return false;
  if (filter.keys?.length && !filter.keys.includes(summary.key ?? '')) return false;
  if (filter.errorClasses?.length && !filter.errorClasses.includes(summary.errorClass ?? '')) return false;
  if (filter.since !== undefined && summary.timestamp < filter.since) return false;
  if (filter.until !== undefined && summary.timestamp >= filter.until) return false;
  return true;
}

/** Headers that describe a failed delivery or an earlier replay; a replayed record starts afresh, so they go. */
export const REPLAY_DROPPED_HEADERS: readonly string[] = [...FAILURE_HEADERS, Headers.replayedAt, Headers.replayedFrom];

export interface ReplayMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * The record a replay writes: the original key and value bytes untouched (so the registry-framed Avro with the raw
 * body can be re-verified), the original headers minus the failure headers (attempt count restarts at 1), plus
 * fc-replayed-at (ISO time) and fc-replayed-from (`<topic>:<partition>:<offset>` of the source record).
 */
export function replayMessage(
  source: { topic: string; partition: number },
  message: KafkaMessage,
  replayedAt: number,
): ReplayMessage {
  const headers: IHeaders = {};
  const drop = new Set(REPLAY_DROPPED_HEADERS);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined || drop.has(name)) continue;
    // KafkaJS produces single-valued headers only; keep the last value (what headerString reads).
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = last;
  }
  headers[Headers.replayedAt] = new Date(replayedAt).toISOString();
  headers[Headers.replayedFrom] = `${source.topic}:${source.partition}:${message.offset}`;
  return { key: message.key ?? null, value: message.value ?? null, headers };
}
