/**
 * The scenario oracle restates the status rule; here it is checked against the processor's own rule module under the
 * two extreme timings (every webhook processed while Fluent still shows its status; every webhook processed after
 * Fluent reached the final status, in any order, with duplicates) and random ones in between.
 */
import { describe, expect, it } from 'vitest';
import type { CurrentStates } from '../../../processor/handlers/order-status/actions.js';
import { desiredStates, planStatus } from '../../../processor/handlers/order-status/desired-state.js';
import { parseStatusMapping, type StatusMappings } from '../../../processor/handlers/order-status/mapping.js';
import { DEFAULT_PROGRESSIONS } from '../../../processor/handlers/order-status/progressions.js';
import {
  EXAMPLE_ORDER_STATUS_MAPPING,
  EXAMPLE_PAYMENT_STATUS_MAPPING,
  EXAMPLE_SHIPPING_STATUS_MAPPING,
} from '../../../sim/fluent/index.js';
import {
  expectedFinalStates,
  INITIAL_STATES,
  LIFECYCLES,
  mismatches,
  prng,
  type OrderScenario,
  type States,
} from '../../../sim/scenario.js';

const mappings: StatusMappings = {
  orderState: parseStatusMapping('o', 'orderState', { fluent: EXAMPLE_ORDER_STATUS_MAPPING }),
  paymentState: parseStatusMapping('p', 'paymentState', { fluent: EXAMPLE_PAYMENT_STATUS_MAPPING }),
  shipmentState: parseStatusMapping('s', 'shipmentState', { fluent: EXAMPLE_SHIPPING_STATUS_MAPPING }),
};

/** The processor's rule for one webhook (entityStatus) processed while Fluent shows `current`. */
function processed(states: States, current: string, entityStatus: string): States {
  const desired = desiredStates(
    planStatus(mappings, { currentStatus: current, entityStatus }),
    DEFAULT_PROGRESSIONS,
    states as CurrentStates,
  );
  return { ...states, ...desired };
}

const scenarios: OrderScenario[] = LIFECYCLES.flatMap((lifecycle, l) =>
  lifecycle.map((_, k) => ({ id: `${l}.${k}`, ref: `S_${l}_${k}`, statuses: lifecycle.slice(0, k + 1) })),
);

describe('expectedFinalStates agrees with the processor rule whatever the timing', () => {
  it.each(scenarios.map((s) => [s.statuses.join(' > '), s] as const))('%s', (_label, scenario) => {
    const expected = expectedFinalStates(scenario);
    const statuses = scenario.statuses;
    const final = statuses.at(-1)!;
    // In time: each webhook processed before Fluent moves on.
    expect(statuses.reduce((s, status) => processed(s, status, status), INITIAL_STATES)).toEqual(expected);
    // Back to back: Fluent already at the final status, webhooks in any order, the first one again at the end.
    for (const order of permutations(statuses)) {
      const deliveries = [...order, order[0]!];
      expect(deliveries.reduce((s, status) => processed(s, final, status), INITIAL_STATES)).toEqual(expected);
    }
    // In between: per-order delivery in order, each processed at some Fluent position at or after its own.
    const random = prng(statuses.length * 7919);
    for (let trial = 0; trial < 50; trial++) {
      let position = 0;
      const result = statuses.reduce((s, status, i) => {
        position = Math.max(position, i) + Math.floor(random() * (statuses.length - Math.max(position, i)));
        return processed(s, statuses[position]!, status);
      }, INITIAL_STATES);
      expect(result).toEqual(expected);
      // Late duplicates/retries of any webhook once Fluent is final change nothing further.
      expect(statuses.reduce((s, status) => processed(s, final, status), result)).toEqual(expected);
    }
  });

  it('every COMPLETE order whose path passed BOOKED is Paid', () => {
    const completed = scenarios.filter((s) => s.statuses.at(-1) === 'COMPLETE');
    expect(completed.length).toBeGreaterThan(0);
    for (const s of completed) {
      expect(s.statuses).toContain('BOOKED');
      expect(expectedFinalStates(s)).toEqual({
        orderState: 'Complete',
        paymentState: 'Paid',
        shipmentState: 'Shipped',
      });
    }
  });

  it('mismatches names what differs', () => {
    const scenario = scenarios.find((s) => s.statuses.join() === 'RECEIVED,BOOKED,CANCELLED')!;
    const problems = mismatches([scenario], () => ({
      orderState: 'Cancelled',
      paymentState: 'Pending',
      shipmentState: 'Pending',
    }));
    expect(problems).toEqual([`${scenario.ref} (RECEIVED>BOOKED>CANCELLED): paymentState=Pending not Paid`]);
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
