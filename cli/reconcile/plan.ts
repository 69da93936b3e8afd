/**
 * What a reconcile run sweeps (pure): the updatedOn window, the filters, the reconciliation's id and checkpoint
 * path, and whether the run starts a new sweep or continues an interrupted one.
 *
 * The id comes from the selection as typed (`--since 6h` names the same reconciliation on every run) or `--id`. A
 * sweep left in progress is continued, in its frozen window, by running the same command again; a finished one is
 * not repeated: the next run with the same selection sweeps a new window (resolved then), which is what a schedule
 * wants.
 */
import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';
import type { TimePoint } from '../parse.js';
import { checkpointPath, type ReconcileCheckpoint } from './checkpoint.js';

export interface ReconcileRequest {
  /** --since: the window is the last `since` ms up to now. */
  readonly since?: { readonly text: string; readonly ms: number } | undefined;
  readonly from?: TimePoint | undefined;
  readonly to?: TimePoint | undefined;
  /** --retailer: Fluent retailer ids; empty = every retailer. */
  readonly retailer?: readonly string[] | undefined;
  readonly id?: string | undefined;
  readonly restart?: boolean | undefined;
}

export interface PlanContext {
  readonly now: number;
  readonly stateDir: string;
  readonly topic: string;
  /** ORDER_TYPES (upper case), the order-status handler's filter. */
  readonly types: readonly string[];
  readonly messageName: string;
}

export interface ReconcilePlan {
  readonly id: string;
  readonly selectionKey: string;
  readonly checkpointPath: string;
  readonly topic: string;
  /** The window a new sweep would cover, resolved now (a continued sweep keeps its own). */
  readonly window: { readonly from: string; readonly to: string };
  readonly types: readonly string[];
  readonly retailers: readonly string[];
  readonly resumeCommand: string;
}

/** Checks the window flags and resolves them; throws a usage error (exit 2) naming the problem. */
export function planReconcile(request: ReconcileRequest, context: PlanContext): ReconcilePlan {
  const window = resolveWindow(request, context.now);
  const retailers = [...new Set(request.retailer ?? [])].sort();
  const types = [...new Set(context.types.map((t) => t.toUpperCase()))].sort();
  const typed = request.since
    ? `since=${request.since.text}`
    : `from=${request.from?.text ?? ''};to=${request.to?.text ?? ''}`;
  const selectionKey = [
    `topic=${context.topic}`,
    typed,
    `retailers=${retailers.join(',')}`,
    `types=${types.join(',')}`,
    `name=${context.messageName}`,
  ].join('|');
  const id = request.id ?? createHash('sha256').update(selectionKey).digest('hex').slice(0, 12);
  return {
    id,
    selectionKey,
    checkpointPath: checkpointPath(context.stateDir, id),
    topic: context.topic,
    window,
    types,
    retailers,
    resumeCommand: `fc-connector reconcile --id ${id}${request.since ? ` --since ${request.since.text}` : ''}${
      request.from ? ` --from ${request.from.text}` : ''
    }${request.to ? ` --to ${request.to.text}` : ''}${retailers.length ? ` --retailer ${retailers.join(',')}` : ''}`,
  };
}

function resolveWindow(request: ReconcileRequest, now: number): { from: string; to: string } {
  if (request.since && (request.from || request.to)) {
    throw usageError('give either --since or --from [--to], not both');
  }
  if (request.to && !request.from) throw usageError('--to needs --from');
  if (!request.since && !request.from)
    throw usageError('give the window: --since <duration> or --from <time> [--to <time>]');
  const from = request.since ? now - request.since.ms : (request.from as TimePoint).ms;
  const to = request.to?.ms ?? now;
  if (from > now) throw usageError(`--from ${request.from?.text ?? ''} is in the future`);
  if (to < from) throw usageError(`--to ${request.to?.text ?? ''} is before --from ${request.from?.text ?? ''}`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** A new sweep, or the interrupted one this run continues. */
export type Reconciled =
  | { readonly kind: 'fresh'; readonly checkpoint: ReconcileCheckpoint }
  | { readonly kind: 'resume'; readonly checkpoint: ReconcileCheckpoint };

/**
 * Decides from the saved checkpoint: one in progress with this selection is continued (unless --restart); a
 * finished one, or none, starts a new sweep over the window resolved now. An in-progress checkpoint of another
 * selection under the same --id is refused, so a typo cannot continue someone else's sweep with other bounds.
 */
export function reconcileWithCheckpoint(
  plan: ReconcilePlan,
  saved: ReconcileCheckpoint | undefined,
  options: { restart?: boolean | undefined; now: number },
): Reconciled {
  if (saved?.status === 'in-progress' && !options.restart) {
    if (saved.selectionKey !== plan.selectionKey) {
      throw usageError(
        `reconciliation ${plan.id} is in progress with another selection (${saved.selectionKey}); ` +
          'run it with its own flags to finish it, or add --restart to start this one over',
      );
    }
    return { kind: 'resume', checkpoint: saved };
  }
  return { kind: 'fresh', checkpoint: newCheckpoint(plan, options.now) };
}

export function newCheckpoint(plan: ReconcilePlan, now: number): ReconcileCheckpoint {
  const at = new Date(now).toISOString();
  return {
    version: 1,
    id: plan.id,
    selectionKey: plan.selectionKey,
    topic: plan.topic,
    window: plan.window,
    types: plan.types,
    retailers: plan.retailers,
    createdAt: at,
    updatedAt: at,
    status: 'in-progress',
    pages: 0,
    listed: 0,
    seen: 0,
    produced: 0,
    byStatus: {},
  };
}
