/**
 * The status rule (pure; docs/architecture.md, "Processing semantics"). Per dimension (order, payment, shipment):
 *   1. the mapping of the status Fluent reports now, when it maps the dimension (any direction);
 *   2. otherwise, for a webhook about the order itself, the mapping of the webhook's own `entityStatus`, only when it
 *      moves the commercetools value forward along the dimension's progression (neither value exceptional);
 *   3. otherwise nothing.
 * Taking the maximum along a fixed order is idempotent and independent of delivery order: a late RECEIVED after Paid
 * does nothing, a late BOOKED after COMPLETE sets Paid once. A mapping value that is no enum member blocks only its own
 * dimension: it is reported as a problem and the other dimensions still apply.
 */
import type { CurrentStates } from './actions.js';
import type { DesiredStates, Dimension, MappingProblem, StatusMapping, StatusMappings } from './mapping.js';
import { movesForward, type Progressions } from './progressions.js';

const DIMENSIONS: readonly Dimension[] = ['orderState', 'paymentState', 'shipmentState'];

/** The two statuses the rule reads. */
export interface StatusEvent {
  /** What Fluent reports now (fetched). */
  readonly currentStatus: string;
  /** The webhook's `entityStatus`, only when the webhook is about the order itself (entityType ORDER). */
  readonly entityStatus?: string;
}

/** What a dimension may become: set whatever the current value, or only when it moves forward. */
export type Candidate = { readonly kind: 'set' | 'forward'; readonly value: string };

/** The rule's part that does not depend on commercetools (decided before reading the order). */
export interface StatusPlan {
  readonly candidates: Partial<Record<Dimension, Candidate>>;
  /** Invalid mapping values hit by this event; their dimensions have no candidate. */
  readonly problems: readonly MappingProblem[];
}

export function planStatus(mappings: StatusMappings, event: StatusEvent): StatusPlan {
  const candidates: Partial<Record<Dimension, Candidate>> = {};
  const problems: MappingProblem[] = [];
  for (const dimension of DIMENSIONS) {
    const outcome = candidateFor(mappings[dimension], event);
    if (outcome && 'problem' in outcome) problems.push(outcome.problem);
    else if (outcome) candidates[dimension] = outcome;
  }
  return { candidates, problems };
}

function candidateFor(mapping: StatusMapping, event: StatusEvent): Candidate | { problem: MappingProblem } | undefined {
  const now = mapping.lookup(event.currentStatus);
  if (now.kind === 'value') return { kind: 'set', value: now.value };
  if (now.kind === 'invalid') return { problem: now.problem };
  if (event.entityStatus === undefined) return undefined;
  const then = mapping.lookup(event.entityStatus);
  if (then.kind === 'value') return { kind: 'forward', value: then.value };
  if (then.kind === 'invalid') return { problem: then.problem };
  return undefined;
}

/** True when no dimension can change, whatever commercetools shows (no commercetools read is needed). */
export function isEmptyPlan(plan: StatusPlan): boolean {
  return Object.keys(plan.candidates).length === 0;
}

/** The desired states for an order in `current` states. */
export function desiredStates(plan: StatusPlan, progressions: Progressions, current: CurrentStates): DesiredStates {
  const desired: Partial<Record<Dimension, string>> = {};
  for (const dimension of DIMENSIONS) {
    const candidate = plan.candidates[dimension];
    if (!candidate) continue;
    if (candidate.kind === 'set' || movesForward(progressions[dimension], current[dimension], candidate.value)) {
      desired[dimension] = candidate.value;
    }
  }
  return desired as DesiredStates;
}
