/** What `replay` prints (pure): each function returns the text of one message, without the final newline. */
import { dash, iso, table } from '../format.js';
import type { ReplayCheckpoint } from './checkpoint.js';
import type { ReplayPlan } from './plan.js';
import type { DryRunScan, ReplayRunResult } from './run.js';

export function renderAlreadyComplete(plan: ReplayPlan, checkpoint: ReplayCheckpoint): string {
  return (
    `Replay ${plan.id} already completed (${checkpoint.replayed} record(s) from ${checkpoint.sourceTopic} to ` +
    `${checkpoint.targetTopic}, finished ${checkpoint.updatedAt}). Nothing to do.\n` +
    'Run with --force to replay this selection again.'
  );
}

/** The first line: which replay, fresh or resumed, and how many records are left to scan. */
export function renderHeader(plan: ReplayPlan, fresh: boolean, toScan: number): string {
  return `${fresh ? 'Replay' : 'Resuming replay'} ${plan.id}: ${plan.source} → ${plan.target}, ${toScan} record(s) to scan`;
}

export function renderStart(header: string, plan: ReplayPlan, fresh: boolean, checkpoint: ReplayCheckpoint): string {
  return `${header}${fresh ? '' : ` (${checkpoint.replayed} already replayed)`}; checkpoint ${plan.checkpointPath}`;
}

export const NOTHING_TO_REPLAY = 'Nothing to replay: the selection is empty.';

export function renderInterrupted(plan: ReplayPlan, run: ReplayRunResult, checkpoint: ReplayCheckpoint): string {
  return (
    `Interrupted: ${run.replayed} record(s) replayed in this run (${checkpoint.replayed} in total); every replayed ` +
    `batch was acknowledged and its position saved in ${plan.checkpointPath}.\n` +
    `Resume with: ${plan.resumeCommand}   (or run the same command again; same connection settings)`
  );
}

/** The message of the error (exit 130) that follows renderInterrupted. */
export function interruptedMessage(plan: ReplayPlan): string {
  return `replay ${plan.id} interrupted; resume with \`${plan.resumeCommand}\``;
}

export function renderComplete(plan: ReplayPlan, run: ReplayRunResult): string {
  return (
    `Replayed ${run.replayed} of ${run.scanned} scanned record(s) from ${plan.source} to ${plan.target} in ` +
    `${run.seconds.toFixed(1)} s (${(run.scanned / run.seconds).toFixed(0)} rec/s). Replay ${plan.id} is complete; ` +
    'running it again does nothing unless --force.'
  );
}

/** The dry run's report: the header, a sample table (when anything matched) and the counts per partition. */
export function renderDryRun(header: string, plan: ReplayPlan, scan: DryRunScan): string {
  const lines = [`${header} (dry run: nothing is produced, no checkpoint written)`];
  if (scan.samples.length > 0) {
    lines.push(
      table(
        ['position', 'key', 'name', 'event id', 'error class', 'timestamp'],
        scan.samples.map((s) => [
          `${s.partition}:${s.offset}`,
          dash(s.key),
          dash(s.messageName),
          dash(s.eventId),
          dash(s.errorClass),
          iso(s.timestamp),
        ]),
      ),
    );
  }
  const total = [...scan.perPartition.values()].reduce((a, b) => a + b, 0);
  const byPartition = [...scan.perPartition.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([p, n]) => `p${p}=${n}`)
    .join(' ');
  lines.push(
    `Would replay ${total} of ${scan.scanned} scanned record(s) from ${plan.source} to ${plan.target}` +
      `${byPartition ? ` (${byPartition})` : ''}.`,
  );
  return lines.join('\n');
}
