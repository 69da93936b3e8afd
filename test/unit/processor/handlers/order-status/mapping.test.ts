import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../../processor/errors.js';
import {
  desiredStatesFor,
  normaliseEnumValue,
  parseStatusMapping,
  settingNames,
  type StatusMappings,
} from '../../../../../processor/handlers/order-status/mapping.js';

// The example mappings documented in docs/architecture.md, "Fluent" (note the lower-case payment values).
const ORDER_MAPPING = {
  fluent: {
    RECEIVED: 'Open',
    PENDING_PAYMENT: 'Open',
    ESCALATED: 'Open',
    BOOKED: 'Confirmed',
    PICK_PACK: 'Confirmed',
    PICK_PACK_CC: 'Confirmed',
    AWAITING_COURIER_COLLECTION: 'Confirmed',
    AWAITING_CUSTOMER_COLLECTION: 'Confirmed',
    COMPLETE: 'Complete',
    CANCELLED: 'Cancelled',
  },
};
const PAYMENT_MAPPING = { fluent: { RECEIVED: 'pending', PENDING_PAYMENT: 'pending', BOOKED: 'paid' } };
const SHIPPING_MAPPING = {
  fluent: {
    RECEIVED: 'Pending',
    BOOKED: 'Pending',
    PICK_PACK: 'Pending',
    AWAITING_COURIER_COLLECTION: 'Shipped',
    COMPLETE: 'Shipped',
  },
};

const names = settingNames('commercetools');
const documented: StatusMappings = {
  orderState: parseStatusMapping(names.orderState, 'orderState', ORDER_MAPPING),
  paymentState: parseStatusMapping(names.paymentState, 'paymentState', PAYMENT_MAPPING),
  shipmentState: parseStatusMapping(names.shipmentState, 'shipmentState', SHIPPING_MAPPING),
};

describe('settingNames', () => {
  it('uses the connector name as the prefix infix', () => {
    expect(settingNames('commerce-tools')).toEqual({
      orderState: 'fc.connect.commerce-tools.order.order-status-mapping',
      paymentState: 'fc.connect.commerce-tools.order.payment-status-mapping',
      shipmentState: 'fc.connect.commerce-tools.order.shipping-status-mapping',
      accountMapping: 'fc.connect.commerce-tools.account-mapping',
    });
  });
});

describe('normaliseEnumValue', () => {
  it.each([
    ['paymentState', 'paid', 'Paid'],
    ['paymentState', 'PAID', 'Paid'],
    ['paymentState', 'balancedue', 'BalanceDue'],
    ['paymentState', 'Balance_Due', 'BalanceDue'],
    ['paymentState', 'credit-owed', 'CreditOwed'],
    ['orderState', 'confirmed', 'Confirmed'],
    ['orderState', ' Complete ', 'Complete'],
    ['shipmentState', 'canceled', 'Canceled'],
    ['shipmentState', 'backorder', 'Backorder'],
    ['shipmentState', 'Cancelled', undefined], // OrderState spelling is not a ShipmentState
    ['orderState', 'Canceled', undefined], // and vice versa
    ['orderState', 'Shipped', undefined],
    ['paymentState', 42, undefined],
    ['paymentState', null, undefined],
  ] as const)('%s %j → %s', (dimension, value, expected) => {
    expect(normaliseEnumValue(dimension, value)).toBe(expected);
  });
});

describe('desiredStatesFor with the documented example mappings', () => {
  it.each([
    ['RECEIVED', { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' }],
    ['PENDING_PAYMENT', { orderState: 'Open', paymentState: 'Pending' }],
    ['ESCALATED', { orderState: 'Open' }],
    ['BOOKED', { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' }],
    ['PICK_PACK', { orderState: 'Confirmed', shipmentState: 'Pending' }],
    ['PICK_PACK_CC', { orderState: 'Confirmed' }],
    ['AWAITING_COURIER_COLLECTION', { orderState: 'Confirmed', shipmentState: 'Shipped' }],
    ['AWAITING_CUSTOMER_COLLECTION', { orderState: 'Confirmed' }],
    ['COMPLETE', { orderState: 'Complete', shipmentState: 'Shipped' }],
    ['CANCELLED', { orderState: 'Cancelled' }],
    ['booked', { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' }],
    ['SOME_NEW_STATUS', {}],
  ])('%s → %j', (status, expected) => {
    expect(desiredStatesFor(documented, status)).toEqual(expected);
  });
});

describe('parseStatusMapping', () => {
  it('a missing setting leaves the dimension alone', () => {
    const m = parseStatusMapping('s', 'paymentState', undefined);
    expect(m.present).toBe(false);
    expect(m.resolve('BOOKED')).toBeUndefined();
  });

  it('accepts comma-separated keys (many-to-one written compactly)', () => {
    const m = parseStatusMapping('s', 'orderState', { fluent: { 'RECEIVED, BOOKED': 'open' } });
    expect(m.resolve('RECEIVED')).toBe('Open');
    expect(m.resolve('BOOKED')).toBe('Open');
  });

  it('an invalid value is a ConfigurationError naming the setting, key and valid values — only for that key', () => {
    const m = parseStatusMapping(names.paymentState, 'paymentState', {
      fluent: { BOOKED: 'payed', RECEIVED: 'pending' },
    });
    expect(m.resolve('RECEIVED')).toBe('Pending');
    let error: unknown;
    try {
      m.resolve('BOOKED');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('fc.connect.commercetools.order.payment-status-mapping');
    expect(message).toContain('"BOOKED"');
    expect(message).toContain('"payed"');
    expect(message).toContain('BalanceDue, Failed, Pending, CreditOwed, Paid');
    expect((error as ConfigurationError).canRetry).toBe(false);
  });

  it.each([
    ['an array', [1, 2]],
    ['no "fluent" key', { RECEIVED: 'Open' }],
    ['"fluent" not an object', { fluent: 'Open' }],
    ['plain text', 'not json'],
  ])('a malformed setting (%s) is a ConfigurationError naming it', (_label, json) => {
    const m = parseStatusMapping('fc.connect.x.order.order-status-mapping', 'orderState', json);
    expect(() => m.resolve('RECEIVED')).toThrowError(
      /fc\.connect\.x\.order\.order-status-mapping must be a JSON object \{"fluent"/,
    );
  });
});
