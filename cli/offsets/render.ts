/** `offsets reset` output (pure): the plan table in the style of `kafka-consumer-groups --reset-offsets`. */
import { dash, iso, table } from '../format.js';
import type { TimePoint } from '../parse.js';
import type { PlanRow } from './plan.js';

/** The target as the operator typed it, with the resolved time when it differs. */
export function targetText(options: { toDatetime?: TimePoint; toEarliest?: boolean }): string {
  if (options.toDatetime) {
    const { text, ms } = options.toDatetime;
    return text === iso(ms) ? text : `${text} (${iso(ms)})`;
  }
  return options.toEarliest ? 'earliest' : 'latest';
}

/** "+4", "-7", "0": a signed difference of two offsets. */
function signed(to: string, from: string): string {
  const d = BigInt(to) - BigInt(from);
  return d > 0n ? `+${d}` : String(d);
}

export function renderOffsetPlan(groupId: string, state: string, target: string, plan: readonly PlanRow[]): string {
  const rows = plan.map((r) => [
    r.topic,
    String(r.partition),
    dash(r.current),
    r.target,
    r.current === null ? 'set' : signed(r.target, r.current),
    `${r.lagBefore} → ${r.lagAfter}`,
  ]);
  const before = plan.reduce((sum, r) => sum + BigInt(r.lagBefore), 0n);
  const after = plan.reduce((sum, r) => sum + BigInt(r.lagAfter), 0n);
  return [
    `consumer group ${groupId} (state ${state}); target: ${target}`,
    table(['topic', 'partition', 'current', 'new', 'change', 'lag'], rows),
    `total lag: ${before} → ${after} (${signed(String(after), String(before))})`,
  ].join('\n');
}

/** The last line: what happened, or how to make it happen. */
export function renderOutcome(groupId: string, plan: readonly PlanRow[], executed: boolean): string {
  const topics = new Set(plan.map((r) => r.topic)).size;
  if (executed) return `Offsets of ${groupId} reset on ${topics} topic(s), ${plan.length} partition(s).`;
  return 'Dry run: no offsets changed. Run the same command with --execute to commit this plan.';
}
