/**
 * Building retry and DLQ records (pure). A failed record is re-produced with its ORIGINAL key and value bytes and
 * original headers, plus the error headers (docs/architecture.md, "Kafka contract"). The original topic/partition/offset always point at the
 * first place the record was consumed from (the main topic), even after several retry tiers.
 */
import { FAILURE_HEADERS, Headers, headerString, type RawHeaders } from '../schemas/index.js';
import { errorCodeOf, errorMessageOf, isRetriable } from '../common/errors.js';

/**
 * Why a record went to the dead-letter topic (the `reason` label of the dead-letters metric and of the log line):
 * the handler's error cannot be retried, every retry tier failed, the bytes are not a record, or no handler is
 * registered for its message name (UNKNOWN_MESSAGE_POLICY=dlq).
 */
export type DeadLetterReason = 'non-retryable' | 'retries-exhausted' | 'undecodable' | 'no-route';

/** Where a failed record goes: a retry tier (due at `notBefore`) or the DLQ (with the reason). */
export type FailureDestination =
  | { readonly kind: 'retry'; readonly topic: string; readonly tier: number; readonly notBefore: number }
  | { readonly kind: 'dlq'; readonly topic: string; readonly reason: DeadLetterReason };

export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders | undefined;
}

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | string>;
}

const ERROR_HEADERS = new Set<string>(FAILURE_HEADERS);

/**
 * @param attempt the attempt that just failed (1 = first delivery from the main topic); written as `fc-attempt`,
 *   so a record in retry tier N carries fc-attempt=N and is handled there as attempt N+1.
 * @param error the error to report (for exhausted retries, a RetriesExhaustedError whose cause is the last error)
 */
export function buildFailureRecord(input: {
  source: SourceRecord;
  mainTopic: string;
  decision: FailureDestination;
  attempt: number;
  error: unknown;
  handlerName: string | undefined;
  now: number;
}): OutgoingRecord {
  const { source, decision, error } = input;
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(source.headers ?? {})) {
    if (value === undefined || ERROR_HEADERS.has(name)) continue;
    // KafkaJS cannot produce multi-valued headers; keep the last value (what headerString reads).
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (v !== undefined) headers[name] = v;
  }
  const fromMain = source.topic === input.mainTopic;
  const original = (name: string, current: string): string =>
    fromMain ? current : (headerString(source.headers, name) ?? current);
  headers[Headers.originalTopic] = original(Headers.originalTopic, source.topic);
  headers[Headers.originalPartition] = original(Headers.originalPartition, String(source.partition));
  headers[Headers.originalOffset] = original(Headers.originalOffset, source.offset);
  headers[Headers.attempt] = String(input.attempt);
  if (decision.kind === 'retry') headers[Headers.notBefore] = String(decision.notBefore);
  headers[Headers.errorClass] = errorCodeOf(error);
  headers[Headers.errorMessage] = errorMessageOf(error);
  headers[Headers.errorRetryable] = String(isRetriable(error));
  if (input.handlerName) headers[Headers.handler] = input.handlerName;
  headers[Headers.failedAt] = new Date(input.now).toISOString();
  return { topic: decision.topic, key: source.key, value: source.value, headers };
}
