/**
 * Order scenarios for the e2e test, the demo, benchmarks and the reliability suite: realistic Fluent status
 * sequences per order, and the oracle that says which commercetools states an order may end in.
 *
 * The oracle: for each dimension the final Fluent status maps (the example mappings of docs/architecture.md, "Fluent"), commercetools must
 * show exactly that value. For a dimension the final status leaves alone, the value must be one an earlier status of
 * the same order maps to, or the initial value (whether an earlier mapping was applied depends on timing, since the
 * handler always reads the status Fluent reports *now*).
 */
import {
  EXAMPLE_ORDER_STATUS_MAPPING,
  EXAMPLE_PAYMENT_STATUS_MAPPING,
  EXAMPLE_SHIPPING_STATUS_MAPPING,
} from './fluent/index.js';
import { createRandom } from './common/faults.js';

export type Dimension = 'orderState' | 'paymentState' | 'shipmentState';
export type States = Record<Dimension, string | null>;

const MAPPINGS: Record<Dimension, Readonly<Record<string, string>>> = {
  orderState: EXAMPLE_ORDER_STATUS_MAPPING,
  paymentState: EXAMPLE_PAYMENT_STATUS_MAPPING,
  shipmentState: EXAMPLE_SHIPPING_STATUS_MAPPING,
};

export const INITIAL_STATES: States = { orderState: 'Open', paymentState: null, shipmentState: null };

/** Lifecycles Fluent orders go through (home delivery, with payment wait, cancellation, escalation). */
const LIFECYCLES: readonly (readonly string[])[] = [
  ['RECEIVED', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'],
  ['RECEIVED', 'PENDING_PAYMENT', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'],
  ['RECEIVED', 'BOOKED', 'CANCELLED'],
  ['RECEIVED', 'ESCALATED', 'BOOKED', 'PICK_PACK_CC', 'AWAITING_CUSTOMER_COLLECTION', 'COMPLETE'],
  ['RECEIVED', 'PENDING_PAYMENT', 'CANCELLED'],
];

/** Seeded PRNG (the simulators' mulberry32) so scenarios are reproducible from a printed seed. */
export function prng(seed: number): () => number {
  return createRandom(seed);
}

export interface OrderScenario {
  readonly id: string;
  readonly ref: string;
  /** Statuses in the order Fluent moves the order through them. */
  readonly statuses: readonly string[];
}

export function buildScenarios(count: number, seed: number, refPrefix = 'O'): OrderScenario[] {
  const random = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const lifecycle = LIFECYCLES[Math.floor(random() * LIFECYCLES.length)]!;
    // Most orders reach the end of their lifecycle; some stop part-way (still in progress).
    const length = random() < 0.7 ? lifecycle.length : 1 + Math.floor(random() * lifecycle.length);
    const id = String(100_000 + i);
    return { id, ref: `${refPrefix}_${seed}_${id}`, statuses: lifecycle.slice(0, length) };
  });
}

function canonical(dimension: Dimension, value: string): string {
  // The example payment mapping uses lower case (`paid`); commercetools enums are PascalCase.
  const enums: Record<Dimension, readonly string[]> = {
    orderState: ['Open', 'Confirmed', 'Complete', 'Cancelled'],
    paymentState: ['BalanceDue', 'Failed', 'Pending', 'CreditOwed', 'Paid'],
    shipmentState: ['Shipped', 'Delivered', 'Ready', 'Pending', 'Delayed', 'Partial', 'Backorder', 'Canceled'],
  };
  const match = enums[dimension].find((e) => e.toLowerCase() === value.toLowerCase());
  if (!match) throw new Error(`example mapping value ${value} is no ${dimension}`);
  return match;
}

export function mappedState(dimension: Dimension, status: string): string | undefined {
  const value = MAPPINGS[dimension][status];
  return value === undefined ? undefined : canonical(dimension, value);
}

/** The values each dimension may show once every webhook of the scenario is processed. */
export function allowedFinalStates(scenario: OrderScenario): Record<Dimension, Set<string | null>> {
  const final = scenario.statuses[scenario.statuses.length - 1]!;
  const result = {} as Record<Dimension, Set<string | null>>;
  for (const dimension of Object.keys(MAPPINGS) as Dimension[]) {
    const exact = mappedState(dimension, final);
    if (exact !== undefined) {
      result[dimension] = new Set([exact]);
      continue;
    }
    const allowed = new Set<string | null>([INITIAL_STATES[dimension]]);
    for (const status of scenario.statuses) {
      const v = mappedState(dimension, status);
      if (v !== undefined) allowed.add(v);
    }
    result[dimension] = allowed;
  }
  return result;
}

/** Describes every order whose states are not allowed (empty when all are right). */
export function mismatches(
  scenarios: readonly OrderScenario[],
  statesOf: (ref: string) => States | undefined,
): string[] {
  const problems: string[] = [];
  for (const scenario of scenarios) {
    const states = statesOf(scenario.ref);
    if (!states) {
      problems.push(`${scenario.ref}: missing in commercetools`);
      continue;
    }
    const allowed = allowedFinalStates(scenario);
    for (const dimension of Object.keys(allowed) as Dimension[]) {
      if (!allowed[dimension].has(states[dimension])) {
        problems.push(
          `${scenario.ref} (${scenario.statuses.at(-1)}): ${dimension}=${states[dimension]} not in ${[...allowed[dimension]].join('|')}`,
        );
      }
    }
  }
  return problems;
}
