/**
 * Drops one warning Node ≥ 23 prints for a third-party bug, and nothing else: KafkaJS 2.2.4 schedules its request
 * queue's check with `throttledUntil - Date.now()` even when nothing is throttled (requestQueue
 * `scheduleCheckPendingRequests`), a negative delay that Node clamps to 1 ms — the behaviour every Node version has —
 * and, since Node 23, also reports on stderr as TimeoutNegativeWarning. Imported for its effect by the entry points
 * (ingress, processor, CLI) so operators on Node 24 do not see a warning they cannot act on.
 */
const NOISE = 'TimeoutNegativeWarning';

const emitWarning = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;

function typeOf(rest: unknown[]): unknown {
  const first = rest[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'type' in first) return first.type;
  return undefined;
}

process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
  const type = warning instanceof Error ? warning.name : typeOf(rest);
  if (type === NOISE) return;
  emitWarning(warning, ...rest);
};
