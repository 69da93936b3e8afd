/**
 * The retry tiers' delays (`RETRY_DELAYS`), which both the processor (when a record is due) and the CLI (how many
 * retry topics exist) read. Each tier is a topic with one fixed delay.
 */
import { parseDurationMs } from './duration.js';

/** Default tiers: 5 s, 1 min, 10 min. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 60_000, 600_000];

/** At most this many tiers (topics) are supported. */
export const MAX_RETRY_TIERS = 20;

/** Parses `5s,1m,10m` into milliseconds. Throws with the offending part. */
export function parseRetryDelays(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('RETRY_DELAYS must list at least one delay, e.g. "5s,1m,10m"');
  if (parts.length > MAX_RETRY_TIERS) {
    throw new Error(`RETRY_DELAYS lists ${parts.length} tiers; at most ${MAX_RETRY_TIERS} are supported`);
  }
  return parts.map((part) => {
    const ms = parseDurationMs(part);
    if (ms === undefined) throw new Error(`RETRY_DELAYS: "${part}" is not a duration (use e.g. 500ms, 5s, 1m, 2h)`);
    if (ms <= 0) throw new Error(`RETRY_DELAYS: "${part}" must be greater than zero`);
    return ms;
  });
}
