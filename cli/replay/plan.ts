/**
 * What a replay is, before any record moves (pure): its source and target, the selection, the id derived from them,
 * where its checkpoint lives, and how an existing checkpoint of the same id changes that (resume, refuse or redo).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { TopicNames } from '../../schemas/index.js';
import { DEFAULT_STATE_DIR } from '../context.js';
import { usageError } from '../errors.js';
import { iso } from '../format.js';
import type { OffsetBounds, TimePoint } from '../parse.js';
import { filterOf, type RecordFilter } from '../records.js';
import type { Selection } from '../selection.js';
import { checkpointPath, type ReplayCheckpoint, type SavedSelection } from './checkpoint.js';

/** The replay flags that shape the plan. */
export interface ReplayRequest {
  fromTopic?: string | undefined;
  toTopic?: string | undefined;
  fromOffset?: OffsetBounds | undefined;
  toOffset?: OffsetBounds | undefined;
  name?: string[] | undefined;
  key?: string[] | undefined;
  errorClass?: string[] | undefined;
  since?: TimePoint | undefined;
  until?: TimePoint | undefined;
  id?: string | undefined;
  stateDir?: string | undefined;
  force?: boolean | undefined;
}

export interface ReplayPlan {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Canonical selection as typed; names the replay and guards its checkpoint against another selection. */
  readonly selectionKey: string;
  /** Applied per record. */
  readonly filter: RecordFilter;
  /** Locates the offset ranges to read (used only when the replay starts afresh). */
  readonly ranges: Selection;
  /** The bounds as given, saved in the checkpoint. */
  readonly selection: SavedSelection;
  readonly checkpointPath: string;
  /** The command that continues this replay (names the state dir only when the operator chose one). */
  readonly resumeCommand: string;
}

export interface PlanContext {
  readonly topics: TopicNames;
  /** FC_CONNECTOR_STATE_DIR or the default. */
  readonly stateDir: string;
  /** Relative state dirs resolve against this. */
  readonly cwd: string;
}

export function planReplay(request: ReplayRequest, context: PlanContext): ReplayPlan {
  const source = request.fromTopic ?? context.topics.dlq;
  const target = request.toTopic ?? context.topics.webhooks;
  const selectionKey = JSON.stringify({
    source,
    target,
    names: sorted(request.name),
    keys: sorted(request.key),
    errorClasses: sorted(request.errorClass),
    since: request.since?.text ?? null,
    until: request.until?.text ?? null,
    fromOffset: boundsText(request.fromOffset),
    toOffset: boundsText(request.toOffset),
  });
  const id = request.id ?? `${source}-${createHash('sha256').update(selectionKey).digest('hex').slice(0, 12)}`;
  // The flag's default is the default directory itself: only a different value counts as the operator's choice.
  const explicitDir =
    request.stateDir !== undefined && request.stateDir !== DEFAULT_STATE_DIR ? request.stateDir : undefined;
  return {
    id,
    source,
    target,
    selectionKey,
    filter: filterOf(request),
    ranges: {
      since: request.since?.ms,
      until: request.until?.ms,
      fromOffset: request.fromOffset,
      toOffset: request.toOffset,
    },
    selection: {
      since: timeBound(request.since),
      until: timeBound(request.until),
      fromOffset: boundsText(request.fromOffset) ?? undefined,
      toOffset: boundsText(request.toOffset) ?? undefined,
    },
    checkpointPath: checkpointPath(resolve(context.cwd, explicitDir ?? context.stateDir), id),
    resumeCommand: `fc-connector replay --id ${id}${explicitDir === undefined ? '' : ` --state-dir ${explicitDir}`}`,
  };
}

/**
 * How a replay goes on, given the checkpoint found under its id. Whenever a checkpoint is followed, so is its saved
 * selection (source, target, filter and frozen ranges): `now-2h` typed again means the window first resolved.
 */
export type Reconciled =
  /** No checkpoint yet, or --force with another selection: plan the ranges now. */
  | { readonly kind: 'fresh'; readonly plan: ReplayPlan }
  /** Continue from the saved positions. */
  | { readonly kind: 'resume'; readonly plan: ReplayPlan; readonly checkpoint: ReplayCheckpoint }
  /** --force on the same selection: the same frozen ranges again, from their start (restartCheckpoint). */
  | { readonly kind: 'again'; readonly plan: ReplayPlan; readonly checkpoint: ReplayCheckpoint }
  /** Finished, and no --force: nothing to do. */
  | { readonly kind: 'complete'; readonly plan: ReplayPlan; readonly checkpoint: ReplayCheckpoint };

/** Throws a usage error when the id was started with another selection (unless --force). */
export function reconcile(
  plan: ReplayPlan,
  checkpoint: ReplayCheckpoint | undefined,
  request: ReplayRequest,
): Reconciled {
  const force = request.force === true;
  if (!checkpoint) return { kind: 'fresh', plan };
  // `replay --id X` alone continues X exactly as it was started.
  const asStarted = request.id !== undefined && !hasSelectionFlags(request);
  if (!asStarted && checkpoint.selectionKey !== plan.selectionKey) {
    if (force) return { kind: 'fresh', plan };
    throw usageError(
      `replay ${plan.id} was started with a different selection (${checkpoint.selectionKey}).\n` +
        `Resume it with \`fc-connector replay --id ${plan.id}\`, choose another --id, or start over with --force.`,
    );
  }
  const saved = savedPlan(plan, checkpoint);
  if (force) return { kind: 'again', plan: saved, checkpoint };
  return { kind: checkpoint.status === 'complete' ? 'complete' : 'resume', plan: saved, checkpoint };
}

/** The plan a checkpoint describes (its ranges are frozen in the checkpoint, not resolved again). */
function savedPlan(plan: ReplayPlan, checkpoint: ReplayCheckpoint): ReplayPlan {
  return {
    ...plan,
    source: checkpoint.sourceTopic,
    target: checkpoint.targetTopic,
    selectionKey: checkpoint.selectionKey,
    filter: checkpoint.filter as RecordFilter,
    selection: checkpoint.selection ?? {},
  };
}

function hasSelectionFlags(request: ReplayRequest): boolean {
  return [
    request.fromTopic,
    request.toTopic,
    request.fromOffset,
    request.toOffset,
    request.name,
    request.key,
    request.errorClass,
    request.since,
    request.until,
  ].some((v) => v !== undefined);
}

function boundsText(bounds: OffsetBounds | undefined): string | null {
  if (!bounds) return null;
  const pairs = [...bounds.byPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, o]) => `${p}:${o}`);
  return [bounds.all === undefined ? null : String(bounds.all), ...pairs].filter(Boolean).join(',');
}

function timeBound(point: TimePoint | undefined): SavedSelection['since'] {
  return point === undefined ? undefined : { text: point.text, at: iso(point.ms) };
}

function sorted(list: readonly string[] | undefined): string[] | null {
  return list?.length ? [...new Set(list)].sort() : null;
}
