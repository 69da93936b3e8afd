/** The status rule as a table: current status any direction, the webhook's own status only forward, else nothing. */
import { describe, expect, it } from 'vitest';
import type { CurrentStates } from '../../../../../processor/handlers/order-status/actions.js';
import {
  desiredStates,
  isEmptyPlan,
  planStatus,
  type StatusEvent,
} from '../../../../../processor/handlers/order-status/desired-state.js';
import {
  DIMENSION_VALUES,
  parseStatusMapping,
  type DesiredStates,
  type Dimension,
  type StatusMappings,
} from '../../../../../processor/handlers/order-status/mapping.js';
import {
  DEFAULT_PROGRESSIONS,
  type Progressions,
} from '../../../../../processor/handlers/order-status/progressions.js';
import { documented } from './support/documented-mappings.js';

/** Every enum member `X` of every dimension is mapped from the Fluent status `TO_X` (e.g. `TO_Paid`). */
function mappingsToEveryValue(): StatusMappings {
  const mapping = (dimension: Dimension) =>
    parseStatusMapping(dimension, dimension, {
      fluent: Object.fromEntries(DIMENSION_VALUES[dimension].map((v) => [`TO_${v}`, v])),
    });
  return {
    orderState: mapping('orderState'),
    paymentState: mapping('paymentState'),
    shipmentState: mapping('shipmentState'),
  };
}

const every = mappingsToEveryValue();
const UNSET = null;

function desired(
  mappings: StatusMappings,
  event: StatusEvent,
  current: CurrentStates,
  progressions: Progressions = DEFAULT_PROGRESSIONS,
): DesiredStates {
  return desiredStates(planStatus(mappings, event), progressions, current);
}

/** Applies one webhook to commercetools states as the handler would (desired states overwrite). */
function apply(current: CurrentStates, event: StatusEvent, mappings = documented): CurrentStates {
  return { ...current, ...desired(mappings, event, current) };
}

describe("the webhook's own status moves a dimension only forward (Fluent's current status maps nothing)", () => {
  // [dimension, commercetools value, value the webhook's status maps to, applied?]
  it.each([
    // order: unset < Open < Confirmed < Complete; exceptional Cancelled
    ['orderState', UNSET, 'Open', true],
    ['orderState', 'Open', 'Confirmed', true],
    ['orderState', 'Open', 'Complete', true],
    ['orderState', 'Confirmed', 'Complete', true],
    ['orderState', 'Complete', 'Confirmed', false],
    ['orderState', 'Confirmed', 'Open', false],
    ['orderState', 'Confirmed', 'Confirmed', false],
    ['orderState', 'Open', 'Cancelled', false],
    ['orderState', 'Cancelled', 'Complete', false],
    ['orderState', UNSET, 'Cancelled', false],
    // payment: unset < Pending < Paid; exceptional BalanceDue, Failed, CreditOwed
    ['paymentState', UNSET, 'Pending', true],
    ['paymentState', UNSET, 'Paid', true],
    ['paymentState', 'Pending', 'Paid', true],
    ['paymentState', 'Paid', 'Pending', false],
    ['paymentState', 'Paid', 'Paid', false],
    ['paymentState', 'Pending', 'Failed', false],
    ['paymentState', 'Pending', 'BalanceDue', false],
    ['paymentState', 'Paid', 'CreditOwed', false],
    ['paymentState', 'CreditOwed', 'Paid', false],
    ['paymentState', 'Failed', 'Pending', false],
    ['paymentState', 'BalanceDue', 'Paid', false],
    // shipment: unset < Pending < Ready < Partial < Shipped < Delivered; exceptional Delayed, Backorder, Canceled
    ['shipmentState', UNSET, 'Pending', true],
    ['shipmentState', 'Pending', 'Ready', true],
    ['shipmentState', 'Ready', 'Partial', true],
    ['shipmentState', 'Partial', 'Shipped', true],
    ['shipmentState', 'Shipped', 'Delivered', true],
    ['shipmentState', 'Pending', 'Delivered', true],
    ['shipmentState', 'Delivered', 'Shipped', false],
    ['shipmentState', 'Shipped', 'Pending', false],
    ['shipmentState', 'Shipped', 'Delayed', false],
    ['shipmentState', 'Pending', 'Backorder', false],
    ['shipmentState', 'Ready', 'Canceled', false],
    ['shipmentState', 'Delayed', 'Shipped', false],
    ['shipmentState', 'Backorder', 'Delivered', false],
    ['shipmentState', 'Canceled', 'Pending', false],
  ] as const)('%s: %s → %s applied: %s', (dimension, from, to, applied) => {
    const current: CurrentStates = { orderState: 'Open', paymentState: null, shipmentState: null, [dimension]: from };
    const result = desired(every, { currentStatus: 'NOT_MAPPED', entityStatus: `TO_${to}` }, current);
    expect(result[dimension]).toBe(applied ? to : undefined);
    // Only the webhook's dimension can change: TO_X maps one dimension only (the enums share no member but Pending).
    for (const other of Object.keys(result) as Dimension[]) expect(result[other]).toBe(to);
  });
});

describe("Fluent's current status decides in any direction", () => {
  it.each([
    ['orderState', 'Complete', 'Open'],
    ['orderState', 'Complete', 'Cancelled'],
    ['orderState', 'Cancelled', 'Open'],
    ['orderState', UNSET, 'Confirmed'],
    ['paymentState', 'Paid', 'CreditOwed'],
    ['paymentState', 'Paid', 'Pending'],
    ['paymentState', 'Failed', 'Paid'],
    ['paymentState', UNSET, 'BalanceDue'],
    ['shipmentState', 'Delivered', 'Pending'],
    ['shipmentState', 'Shipped', 'Delayed'],
    ['shipmentState', 'Backorder', 'Ready'],
    ['shipmentState', UNSET, 'Canceled'],
  ] as const)('%s: %s → %s', (dimension, from, to) => {
    const current: CurrentStates = { orderState: 'Open', paymentState: null, shipmentState: null, [dimension]: from };
    // Even a webhook about an older status that would move elsewhere does not matter when the current status maps.
    const event = { currentStatus: `TO_${to}`, entityStatus: 'TO_Delivered' };
    expect(desired(every, event, current)[dimension]).toBe(to);
  });

  it("the current status's value wins over the webhook's own status in the same dimension", () => {
    const result = desired(
      documented,
      { currentStatus: 'RECEIVED', entityStatus: 'BOOKED' },
      { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' },
    );
    expect(result).toEqual({ orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' });
  });
});

describe('nothing from the webhook when it is not about the order, or its status maps nothing', () => {
  const current: CurrentStates = { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' };

  it('a fulfilment webhook (no order entityStatus) only applies the current status', () => {
    expect(desired(documented, { currentStatus: 'COMPLETE' }, current)).toEqual({
      orderState: 'Complete',
      shipmentState: 'Shipped',
    });
    expect(isEmptyPlan(planStatus(documented, { currentStatus: 'PICK_PACK_CC' }))).toBe(false);
    expect(isEmptyPlan(planStatus(documented, { currentStatus: 'SOME_NEW_STATUS' }))).toBe(true);
  });

  it('unmapped current and webhook statuses leave every dimension alone (and need no commercetools read)', () => {
    const plan = planStatus(documented, { currentStatus: 'SOME_NEW_STATUS', entityStatus: 'OTHER' });
    expect(isEmptyPlan(plan)).toBe(true);
    expect(desiredStates(plan, DEFAULT_PROGRESSIONS, current)).toEqual({});
  });
});

describe('with the documented mappings: late and duplicate events', () => {
  const PATH = ['RECEIVED', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'];
  const START: CurrentStates = { orderState: 'Open', paymentState: null, shipmentState: null };
  const COMPLETED = { orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' };

  it('a late BOOKED after COMPLETE sets Paid, once', () => {
    const after = { orderState: 'Complete', paymentState: 'Pending', shipmentState: 'Shipped' };
    const late = { currentStatus: 'COMPLETE', entityStatus: 'BOOKED' };
    expect(desired(documented, late, after)).toEqual({ ...COMPLETED });
    const once = apply(after, late);
    expect(once).toEqual(COMPLETED);
    expect(desired(documented, late, once)).toEqual({ orderState: 'Complete', shipmentState: 'Shipped' }); // no change
  });

  it('a late RECEIVED after Paid does nothing', () => {
    const late = { currentStatus: 'COMPLETE', entityStatus: 'RECEIVED' };
    expect(apply(COMPLETED, late)).toEqual(COMPLETED);
  });

  it('each webhook processed before Fluent moves on ends Complete / Paid / Shipped', () => {
    const final = PATH.reduce(
      (states, status) => apply(states, { currentStatus: status, entityStatus: status }),
      START,
    );
    expect(final).toEqual(COMPLETED);
  });

  it('every delivery order of the whole path after Fluent reached COMPLETE, with duplicates, ends the same', () => {
    for (const order of permutations(PATH)) {
      const deliveries = [...order, order[0]!, order[2]!]; // two duplicates, one of them last
      const final = deliveries.reduce(
        (states, status) => apply(states, { currentStatus: 'COMPLETE', entityStatus: status }),
        START,
      );
      expect(final, order.join(' ')).toEqual(COMPLETED);
    }
  });

  it('a cancelled order keeps the payment it reached and its shipment stays Pending', () => {
    const path = ['RECEIVED', 'BOOKED', 'CANCELLED'];
    for (const order of permutations(path)) {
      const final = order.reduce(
        (states, status) => apply(states, { currentStatus: 'CANCELLED', entityStatus: status }),
        START,
      );
      expect(final).toEqual({ orderState: 'Cancelled', paymentState: 'Paid', shipmentState: 'Pending' });
    }
  });
});

describe('invalid mapping values block only their own dimension', () => {
  const bad: StatusMappings = {
    ...documented,
    paymentState: parseStatusMapping('pay', 'paymentState', { fluent: { BOOKED: 'payed', RECEIVED: 'pending' } }),
  };

  it('the other dimensions are still desired; the problem names setting, key and valid values', () => {
    const plan = planStatus(bad, { currentStatus: 'BOOKED', entityStatus: 'BOOKED' });
    expect(plan.problems).toEqual([
      expect.objectContaining({ setting: 'pay', key: 'BOOKED', validValues: DIMENSION_VALUES.paymentState }),
    ]);
    expect(desiredStates(plan, DEFAULT_PROGRESSIONS, { orderState: 'Open' })).toEqual({
      orderState: 'Confirmed',
      shipmentState: 'Pending',
    });
  });

  it("a webhook's own status with an invalid value is a problem too (when the current status maps nothing)", () => {
    const plan = planStatus(bad, { currentStatus: 'COMPLETE', entityStatus: 'BOOKED' });
    expect(plan.problems.map((p) => p.key)).toEqual(['BOOKED']);
    expect(planStatus(bad, { currentStatus: 'RECEIVED', entityStatus: 'BOOKED' }).problems).toEqual([]);
  });
});

describe('progressions are configuration', () => {
  it('an empty progression turns forward moves off; a custom one changes what is forward', () => {
    const none: Progressions = { ...DEFAULT_PROGRESSIONS, paymentState: [] };
    const late = { currentStatus: 'COMPLETE', entityStatus: 'BOOKED' };
    const states = { orderState: 'Complete', paymentState: 'Pending', shipmentState: 'Shipped' };
    expect(desired(documented, late, states, none).paymentState).toBeUndefined();
    const creditLast: Progressions = { ...DEFAULT_PROGRESSIONS, paymentState: ['Pending', 'Paid', 'CreditOwed'] };
    const refund = { currentStatus: 'NOT_MAPPED', entityStatus: 'TO_CreditOwed' };
    expect(desired(every, refund, { ...states, paymentState: 'Paid' }, creditLast).paymentState).toBe('CreditOwed');
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
