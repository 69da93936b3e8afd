/**
 * Retry policy (pure). Each retry tier is a topic with one fixed delay (DESIGN.md §5): a record that failed with a
 * retryable error on attempt N goes to tier N (`<main>.retry.N`) to be retried no earlier than `now + delays[N-1]`;
 * after the last tier, or on a non-retryable error, it goes to the DLQ.
 */
import { dlqTopicName, retryTopicName } from '../schemas/index.js';

/** Default tiers: 5 s, 1 min, 10 min. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 60_000, 600_000];

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses `5s,1m,10m` (units ms, s, m, h; a bare number is ms) into milliseconds. Throws with the offending part. */
export function parseRetryDelays(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('RETRY_DELAYS must list at least one delay, e.g. "5s,1m,10m"');
  if (parts.length > 20) throw new Error(`RETRY_DELAYS lists ${parts.length} tiers; at most 20 are supported`);
  return parts.map((part) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(part);
    if (!match) throw new Error(`RETRY_DELAYS: "${part}" is not a duration (use e.g. 500ms, 5s, 1m, 2h)`);
    const ms = Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
    if (ms <= 0) throw new Error(`RETRY_DELAYS: "${part}" must be greater than zero`);
    return ms;
  });
}

export type RetryDecision =
  | { readonly kind: 'retry'; readonly topic: string; readonly tier: number; readonly notBefore: number }
  | { readonly kind: 'dlq'; readonly topic: string; readonly reason: 'non-retryable' | 'retries-exhausted' };

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
