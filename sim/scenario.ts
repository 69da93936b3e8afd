/**
 * Order scenarios for the e2e test, the demo, benchmarks and the reliability suite: realistic Fluent status
 * sequences per order, and the oracle that says which commercetools states an order ends in.
 *
 * The oracle is the status rule of docs/architecture.md, "Processing semantics", with the example mappings of
 * docs/architecture.md, "Fluent", restated here rather than imported from the processor, so that a bug in the
 * handler's rule cannot also be in the oracle that checks it. Once every webhook of a scenario is processed, the
 * states are exactly `expectedFinalStates` whatever the timing (test/unit/sim/scenario.test.ts checks this restatement
 * against the processor's rule under both extreme timings). When some webhooks may have been lost (the chaos suite),
 * only `looseMismatches` holds.
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

/** The default progressions (docs/configuration.md, ORDER_STATE_PROGRESSIONS); values not listed are exceptional. */
const PROGRESSIONS: Record<Dimension, readonly string[]> = {
  orderState: ['Open', 'Confirmed', 'Complete'],
  paymentState: ['Pending', 'Paid'],
  shipmentState: ['Pending', 'Ready', 'Partial', 'Shipped', 'Delivered'],
};

/** Lifecycles Fluent orders go through (home delivery, with payment wait, cancellation, escalation). */
export const LIFECYCLES: readonly (readonly string[])[] = [
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

/**
 * The rule for one webhook about the order: per dimension, the mapping of Fluent's current status if it has one, else
 * the mapping of the webhook's own status if that lies further along the progression than the value now shown.
 */
export function applyWebhook(states: States, currentStatus: string, entityStatus: string): States {
  const next = { ...states };
  for (const dimension of Object.keys(MAPPINGS) as Dimension[]) {
    const now = mappedState(dimension, currentStatus);
    if (now !== undefined) {
      next[dimension] = now;
      continue;
    }
    const then = mappedState(dimension, entityStatus);
    const progression = PROGRESSIONS[dimension];
    const from = states[dimension];
    const forward =
      then !== undefined &&
      progression.includes(then) &&
      (from === null || (progression.includes(from) && progression.indexOf(then) > progression.indexOf(from)));
    if (forward) next[dimension] = then;
  }
  return next;
}

/** The states an order ends in once every webhook of its scenario is processed (each while Fluent shows its status). */
export function expectedFinalStates(scenario: OrderScenario): States {
  return scenario.statuses.reduce((states, status) => applyWebhook(states, status, status), INITIAL_STATES);
}

/** Describes every order whose states are not the rule's (empty when all are right): every webhook was processed. */
export function mismatches(
  scenarios: readonly OrderScenario[],
  statesOf: (ref: string) => States | undefined,
): string[] {
  return check(scenarios, statesOf, (scenario) => {
    const expected = expectedFinalStates(scenario);
    return Object.fromEntries((Object.keys(expected) as Dimension[]).map((d) => [d, new Set([expected[d]])])) as Record<
      Dimension,
      Set<string | null>
    >;
  });
}

/**
 * The values each dimension may show when some of the scenario's webhooks may never have been processed (Fluent gave
 * up on them): exactly the final status's mapping where it has one, else the initial value or any value a status of
 * the scenario maps to.
 */
export function possibleFinalStates(scenario: OrderScenario): Record<Dimension, Set<string | null>> {
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

/** Like `mismatches`, for runs in which some webhooks may have been lost. */
export function looseMismatches(
  scenarios: readonly OrderScenario[],
  statesOf: (ref: string) => States | undefined,
): string[] {
  return check(scenarios, statesOf, possibleFinalStates);
}

function check(
  scenarios: readonly OrderScenario[],
  statesOf: (ref: string) => States | undefined,
  allowedFor: (scenario: OrderScenario) => Record<Dimension, Set<string | null>>,
): string[] {
  const problems: string[] = [];
  for (const scenario of scenarios) {
    const states = statesOf(scenario.ref);
    if (!states) {
      problems.push(`${scenario.ref}: missing in commercetools`);
      continue;
    }
    const allowed = allowedFor(scenario);
    for (const dimension of Object.keys(allowed) as Dimension[]) {
      if (!allowed[dimension].has(states[dimension] ?? null)) {
        problems.push(
          `${scenario.ref} (${scenario.statuses.join('>')}): ${dimension}=${states[dimension]} not ${[...allowed[dimension]].join('|')}`,
        );
      }
    }
  }
  return problems;
}
