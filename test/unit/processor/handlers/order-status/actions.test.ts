import { describe, expect, it } from 'vitest';
import { isEmptyDesire, statusActions } from '../../../../../processor/handlers/order-status/actions.js';

describe('statusActions', () => {
  it.each([
    {
      name: 'all three change',
      desired: { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Shipped' } as const,
      current: { orderState: 'Open', paymentState: 'Pending', shipmentState: null },
      expected: [
        { changeOrderState: { orderState: 'Confirmed' } },
        { changePaymentState: { paymentState: 'Paid' } },
        { changeShipmentState: { shipmentState: 'Shipped' } },
      ],
    },
    {
      name: 'only the differing dimension',
      desired: { orderState: 'Confirmed', paymentState: 'Paid' } as const,
      current: { orderState: 'Confirmed', paymentState: 'Pending', shipmentState: 'Pending' },
      expected: [{ changePaymentState: { paymentState: 'Paid' } }],
    },
    {
      name: 'already in the desired state → nothing',
      desired: { orderState: 'Complete', shipmentState: 'Shipped' } as const,
      current: { orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' },
      expected: [],
    },
    {
      name: 'unmapped dimensions are left alone even when set',
      desired: {},
      current: { orderState: 'Open', paymentState: 'Failed', shipmentState: 'Delayed' },
      expected: [],
    },
    {
      name: 'unset payment state on the order gets set',
      desired: { paymentState: 'Pending' } as const,
      current: { orderState: 'Open' },
      expected: [{ changePaymentState: { paymentState: 'Pending' } }],
    },
  ])('$name', ({ desired, current, expected }) => {
    expect(statusActions(desired, current)).toEqual(expected);
  });
});

describe('isEmptyDesire', () => {
  it('is true only when no dimension is desired', () => {
    expect(isEmptyDesire({})).toBe(true);
    expect(isEmptyDesire({ shipmentState: 'Ready' })).toBe(false);
  });
});
