/**
 * Producing a retry/DLQ record durably (acks=-1): retried with backoff while the failure is transient, but never
 * beyond the batch's halt (rebalance, stop) or the runner's shutdown, and never for a failure that no retry can fix
 * (no write access, a record too large, a topic that does not exist). The caller abandons a record that was not
 * sent, so it is redelivered.
 */
import type { Logger } from 'pino';
import { errorMessageOf } from '../common/errors.js';
import type { OutgoingRecord } from './failure-records.js';

export type ProduceResult =
  | { readonly kind: 'sent' }
  /** The batch halted or the runner shut down first. */
  | { readonly kind: 'halted' }
  /** The broker refuses this record for good (see isPermanentProduceError). */
  | { readonly kind: 'refused'; readonly error: unknown };

export interface DurableProduceOptions {
  /** The batch's halt signal. */
  readonly halt: AbortSignal;
  /** The runner's shutdown signal. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * KafkaJS protocol error types that no retry fixes. UNKNOWN_TOPIC_OR_PARTITION is retriable for KafkaJS, but it
 * reaches us only after the producer refreshed metadata and retried: the topic does not exist (auto-creation is off).
 */
const PERMANENT_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_RECORD',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
]);

interface KafkaErrorFields {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
}

/**
 * Whether a produce failure is permanent. The broker's error type decides when there is one in the cause chain
 * (KafkaJS wraps it when its own retries run out); without one, KafkaJS's `retriable: false` does, except for
 * "retries exceeded", which wraps a transient failure such as the broker being unreachable.
 */
export function isPermanentProduceError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const fields = current as KafkaErrorFields;
    if (typeof fields.type === 'string') return PERMANENT_TYPES.has(fields.type) || fields.retriable === false;
    current = fields.cause;
  }
  const top = (error ?? {}) as KafkaErrorFields;
  return top.retriable === false && top.name !== 'KafkaJSNumberOfRetriesExceeded';
}

export async function produceDurably(
  produce: (record: OutgoingRecord) => Promise<void>,
  record: OutgoingRecord,
  options: DurableProduceOptions,
): Promise<ProduceResult> {
  const { halt, signal, logger } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let delay = options.initialBackoffMs ?? 500;
  for (;;) {
    try {
      await produce(record);
      return { kind: 'sent' };
    } catch (error) {
      if (isPermanentProduceError(error)) return { kind: 'refused', error };
      if (halt.aborted || signal.aborted) return { kind: 'halted' };
      logger.error(
        { topic: record.topic, err: errorMessageOf(error), retryInMs: delay },
        'cannot produce retry/DLQ record; retrying',
      );
      await sleep(delay, halt, signal);
      if (halt.aborted || signal.aborted) return { kind: 'halted' };
      delay = Math.min(delay * 2, maxBackoffMs);
    }
  }
}

/** Resolves after `ms`, or as soon as one of the signals aborts. */
function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    }
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}
