/** What `replay` prints (pure): each function returns the text of one message, without the final newline. */
import { dash, iso, table } from '../format.js';
import type { ReplayCheckpoint } from './checkpoint.js';
import type { ReplayPlan } from './plan.js';
import type { SkippedOffsets } from './positions.js';
import type { DryRunScan, ReplayRunResult } from './run.js';

export function renderAlreadyComplete(plan: ReplayPlan, checkpoint: ReplayCheckpoint): string {
  return (
    `Replay ${plan.id} already completed (${checkpoint.replayed} record(s) from ${checkpoint.sourceTopic} to ` +
    `${checkpoint.targetTopic}, finished ${checkpoint.updatedAt}). Nothing to do.\n` +
    `Run with --force to replay the same records again (the offsets frozen at ${checkpoint.createdAt}); ` +
    'records written since need a replay with another --id.'
  );
}

/** A fresh replay, one continued from its checkpoint, or one started over by --force. */
export type ReplayMode = 'fresh' | 'resume' | 'again';

const HEADINGS: Record<ReplayMode, string> = {
  fresh: 'Replay',
  resume: 'Resuming replay',
  again: 'Replaying again',
};

/** The first line: which replay, fresh, resumed or again, and how many records are left to scan. */
export function renderHeader(plan: ReplayPlan, mode: ReplayMode, toScan: number): string {
  return `${HEADINGS[mode]} ${plan.id}: ${plan.source} → ${plan.target}, ${toScan} record(s) to scan`;
}

export function renderStart(header: string, plan: ReplayPlan, mode: ReplayMode, checkpoint: ReplayCheckpoint): string {
  const already = mode === 'resume' ? ` (${checkpoint.replayed} already replayed)` : '';
  return `${header}${already}; checkpoint ${plan.checkpointPath}`;
}

/** Offsets a resumed replay moved past because the source no longer has them. */
export function renderSkipped(plan: ReplayPlan, skipped: readonly SkippedOffsets[]): string {
  return skipped
    .map(
      (s) =>
        `Partition ${s.partition}: offsets ${s.from}–${s.to - 1n} (${s.to - s.from}) are no longer in ${plan.source} ` +
        '(deleted by retention since the replay was planned); skipped.',
    )
    .join('\n');
}

export function renderNothingToReplay(plan: ReplayPlan, mode: ReplayMode): string {
  return mode === 'fresh'
    ? 'Nothing to replay: the selection is empty.'
    : `Nothing left to replay: replay ${plan.id} is complete.`;
}

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
