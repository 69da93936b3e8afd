/**
 * Which Fluent orders the handler syncs (docs/architecture.md, "commercetools"). In-store, POS and marketplace orders
 * exist only in Fluent: retrying them as ORDER_NOT_FOUND would only fill the DLQ. `ORDER_TYPES` and
 * `ORDER_REF_PATTERN` name the orders commercetools has; any other order is answered `skipped` (outcome label
 * `filtered`), before any commercetools call and, when the webhook already tells, before any Fluent call.
 */
import type { HandlerContext, HandlerOutcome } from '../../handler.js';
import type { OrderFilterConfig } from './config.js';

/** What is known of an order: from the webhook (either may be missing) or from the Fluent order. */
export interface OrderFacts {
  readonly ref?: string | null;
  readonly type?: string | null;
}

export interface OrderFilter {
  /** Why the order is not synced, or undefined when it passes (or the facts it needs are not known yet). */
  exclusion(order: OrderFacts): string | undefined;
}

/** The filter of a configuration; passes every order when nothing is configured. */
export function createOrderFilter(config: OrderFilterConfig | undefined): OrderFilter {
  const types = new Set((config?.types ?? []).map((type) => type.toUpperCase()));
  const refPattern = config?.refPattern;
  return {
    exclusion({ ref, type }) {
      if (types.size > 0 && type && !types.has(type.toUpperCase())) {
        return `order type ${type} is not in ORDER_TYPES (${[...types].join(', ')})`;
      }
      if (refPattern && ref && !matches(refPattern, ref)) return `order ref ${ref} does not match ORDER_REF_PATTERN`;
      return undefined;
    },
  };
}

/** A pattern given in code may carry the `g` or `y` flag: test from the start every time. */
function matches(pattern: RegExp, ref: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(ref);
}

/**
 * The order facts a webhook carries: the order's ref, and its type when the entity is the order itself (Fluent puts
 * the order type in `entitySubtype`; for a fulfilment the subtype is the fulfilment's, so it says nothing here).
 */
export function webhookOrderFacts(payload: HandlerContext['payload']): OrderFacts {
  const isOrder = String(payload.entityType).toUpperCase() === 'ORDER';
  const ref = isOrder ? payload.entityRef : payload.rootEntityRef;
  return { ref: text(ref), type: isOrder ? text(payload.entitySubtype) : undefined };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The outcome of a filtered order: `skipped` for the runtime, `filtered` for the handler's outcome metric. */
export interface FilteredOutcome {
  readonly status: 'skipped';
  readonly detail: string;
  readonly filtered: true;
}

export function filteredOutcome(reason: string): FilteredOutcome {
  return { status: 'skipped', detail: `filtered: ${reason}`, filtered: true };
}

/** The handler's outcome-metric label of an outcome. */
export function outcomeLabel(outcome: HandlerOutcome): 'applied' | 'skipped' | 'filtered' {
  return (outcome as Partial<FilteredOutcome>).filtered === true ? 'filtered' : outcome.status;
}
