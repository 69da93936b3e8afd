/** What `reconcile` prints (pure): each function returns the text of one message, without the final newline. */
import { dash, table } from '../format.js';
import type { ReconcileCheckpoint } from './checkpoint.js';
import type { ReconcilePlan } from './plan.js';
import type { DryRunScan, SweepResult } from './run.js';

function filters(types: readonly string[], retailers: readonly string[]): string {
  const parts = [
    types.length ? `types ${types.join(',')} (ORDER_TYPES)` : '',
    retailers.length ? `retailer${retailers.length > 1 ? 's' : ''} ${retailers.join(',')}` : '',
  ].filter(Boolean);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** The first line of a run: which reconciliation, new or continued, which window and filters. */
export function renderStart(plan: ReconcilePlan, kind: 'fresh' | 'resume', checkpoint: ReconcileCheckpoint): string {
  const heading = kind === 'resume' ? 'Resuming reconciliation' : 'Reconciliation';
  const already =
    kind === 'resume' ? ` (${checkpoint.produced} event(s) already produced over ${checkpoint.pages} page(s))` : '';
  return (
    `${heading} ${plan.id}: orders updated in Fluent from ${checkpoint.window.from} to ${checkpoint.window.to}` +
    `${filters(checkpoint.types, checkpoint.retailers)} → ${plan.topic}${already}; checkpoint ${plan.checkpointPath}`
  );
}

/**
 * The summary line, one per run, the same words for humans and log searches (a scheduled run's record):
 * `reconcile summary: id=… window=…/… seen=… produced=… pages=… seconds=… result=…`.
 */
export function renderSummary(plan: ReconcilePlan, checkpoint: ReconcileCheckpoint, run: SweepResult): string {
  const rate = (run.produced / run.seconds).toFixed(0);
  return (
    `reconcile summary: id=${plan.id} window=${checkpoint.window.from}/${checkpoint.window.to} ` +
    `seen=${run.seen} produced=${run.produced} pages=${run.pages} seconds=${run.seconds.toFixed(1)} ` +
    `rate=${rate}/s result=${run.result}` +
    (checkpoint.pages > run.pages ? ` total_produced=${checkpoint.produced} total_pages=${checkpoint.pages}` : '')
  );
}

export function renderComplete(plan: ReconcilePlan, checkpoint: ReconcileCheckpoint): string {
  const statuses = Object.entries(checkpoint.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status}=${n}`)
    .join(' ');
  return (
    `Produced ${checkpoint.produced} reconciliation event(s) to ${plan.topic}${statuses ? ` (${statuses})` : ''}; ` +
    'the processor brings each commercetools order to the state its current Fluent status gives (no write where ' +
    `nothing differs). Reconciliation ${plan.id} is complete; the same command sweeps a new window next time.`
  );
}

export function renderInterrupted(plan: ReconcilePlan, checkpoint: ReconcileCheckpoint): string {
  return (
    `Interrupted: ${checkpoint.produced} event(s) produced so far over ${checkpoint.pages} page(s); every produced page ` +
    `was acknowledged and its cursor saved in ${plan.checkpointPath}.\n` +
    `Resume with: ${plan.resumeCommand}   (or run the same command again; same connection settings)`
  );
}

export function interruptedMessage(plan: ReconcilePlan): string {
  return `reconciliation ${plan.id} interrupted; resume with \`${plan.resumeCommand}\``;
}

/** The dry run's report: counts per Fluent status and the first orders, nothing produced. */
export function renderDryRun(plan: ReconcilePlan, scan: DryRunScan): string {
  const lines = [
    `Reconciliation ${plan.id} (dry run: nothing is produced, no checkpoint written): orders updated in Fluent from ` +
      `${plan.window.from} to ${plan.window.to}${filters(plan.types, plan.retailers)}`,
  ];
  if (scan.samples.length > 0) {
    lines.push(
      table(
        ['order ref', 'id', 'type', 'status', 'retailer', 'updatedOn'],
        scan.samples.map((o) => [o.ref, o.id, dash(o.type), dash(o.status), dash(o.retailerId), o.updatedOn]),
      ),
    );
  }
  const statuses = [...scan.byStatus.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, n]) => `${status}=${n}`)
    .join(' ');
  lines.push(
    `Would produce ${scan.seen} event(s) to ${plan.topic}${statuses ? ` (${statuses})` : ''}; ` +
      `${scan.pages} Fluent page(s) read in ${scan.seconds.toFixed(1)} s${scan.result === 'interrupted' ? ' (interrupted)' : ''}.`,
  );
  return lines.join('\n');
}
