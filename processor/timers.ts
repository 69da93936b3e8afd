/**
 * Timer bounds. Node runs a timer set beyond 2^31-1 ms (about 24.8 days) after 1 ms instead, so a long retry delay or
 * pause would fire at once and spin. Every long wait is set at most MAX_TIMER_MS ahead and re-checks its due time on
 * waking (waiting again if it is not due yet).
 */
export const MAX_TIMER_MS = 60 * 60 * 1000;

/** `ms` as a safe timer delay: within 0..MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}
