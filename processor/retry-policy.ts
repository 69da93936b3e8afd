/**
 * Retry policy (pure). Each retry tier is a topic with one fixed delay (docs/architecture.md, "Processing semantics"):
 * a record that failed with a retriable error on attempt N goes to tier N (`<main>.retry.N`) to be retried no earlier
 * than `now + delays[N-1]`; after the last tier, or on a non-retriable error, it goes to the DLQ.
 */
import { dlqTopicName, retryTopicName } from '../schemas/index.js';
import type { DeadLetterReason, FailureDestination } from './failure-records.js';

/** The policy's answer: a retry tier, or the DLQ for one of the two reasons a handler failure can have. */
export type RetryDecision =
  | Extract<FailureDestination, { kind: 'retry' }>
  | (Extract<FailureDestination, { kind: 'dlq' }> & {
      readonly reason: Extract<DeadLetterReason, 'non-retryable' | 'retries-exhausted'>;
    });

/**
 * Where a failed record goes next.
 * @param attempt the attempt that just failed (1 = first delivery from the main topic)
 */
export function decideRetry(options: {
  mainTopic: string;
  delaysMs: readonly number[];
  attempt: number;
  retryable: boolean;
  now: number;
}): RetryDecision {
  const { mainTopic, delaysMs, attempt, retryable, now } = options;
  if (!retryable) return { kind: 'dlq', topic: dlqTopicName(mainTopic), reason: 'non-retryable' };
  const tier = attempt; // attempt 1 failed → tier 1
  const delay = delaysMs[tier - 1];
  if (delay === undefined) return { kind: 'dlq', topic: dlqTopicName(mainTopic), reason: 'retries-exhausted' };
  return { kind: 'retry', topic: retryTopicName(mainTopic, tier), tier, notBefore: now + delay };
}
