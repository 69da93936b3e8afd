import { describe, expect, it } from 'vitest';
import {
  normaliseEnumValue,
  parseStatusMapping,
  settingNames,
} from '../../../../../processor/handlers/order-status/mapping.js';
import { documented } from './support/documented-mappings.js';

const names = settingNames('commercetools');

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
    ['shipmentState', 'Cancelled', 'Canceled'], // the OrderState spelling is accepted as an alias
    ['orderState', 'Canceled', 'Cancelled'], // and vice versa
    ['shipmentState', 'cancel', undefined],
    ['orderState', 'Shipped', undefined],
    ['paymentState', 42, undefined],
    ['paymentState', null, undefined],
  ] as const)('%s %j → %s', (dimension, value, expected) => {
    expect(normaliseEnumValue(dimension, value)).toBe(expected);
  });
});

describe('parseStatusMapping', () => {
  it('a missing setting leaves the dimension alone', () => {
    const m = parseStatusMapping('s', 'paymentState', undefined);
    expect(m.present).toBe(false);
    expect(m.lookup('BOOKED')).toEqual({ kind: 'unmapped' });
  });

  it('maps the documented statuses case-insensitively and normalises the values', () => {
    expect(documented.paymentState.lookup('booked')).toEqual({ kind: 'value', value: 'Paid' });
    expect(documented.orderState.lookup('COMPLETE')).toEqual({ kind: 'value', value: 'Complete' });
    expect(documented.paymentState.lookup('COMPLETE')).toEqual({ kind: 'unmapped' });
  });

  it('accepts comma-separated keys (many-to-one written compactly)', () => {
    const m = parseStatusMapping('s', 'orderState', { fluent: { 'RECEIVED, BOOKED': 'open' } });
    expect(m.lookup('RECEIVED')).toEqual({ kind: 'value', value: 'Open' });
    expect(m.lookup('BOOKED')).toEqual({ kind: 'value', value: 'Open' });
  });

  it('accepts Cancelled as ShipmentState Canceled (and Canceled as OrderState Cancelled)', () => {
    expect(
      parseStatusMapping('s', 'shipmentState', { fluent: { CANCELLED: 'Cancelled' } }).lookup('CANCELLED'),
    ).toEqual({ kind: 'value', value: 'Canceled' });
    expect(parseStatusMapping('s', 'orderState', { fluent: { CANCELLED: 'canceled' } }).lookup('CANCELLED')).toEqual({
      kind: 'value',
      value: 'Cancelled',
    });
  });

  it('an invalid value is a problem naming the setting, key and valid values — only for that key', () => {
    const m = parseStatusMapping(names.paymentState, 'paymentState', {
      fluent: { BOOKED: 'payed', RECEIVED: 'pending' },
    });
    expect(m.lookup('RECEIVED')).toEqual({ kind: 'value', value: 'Pending' });
    const lookup = m.lookup('BOOKED');
    if (lookup.kind !== 'invalid') throw new Error(`expected a problem, got ${JSON.stringify(lookup)}`);
    expect(lookup.problem).toMatchObject({
      setting: 'fc.connect.commercetools.order.payment-status-mapping',
      key: 'BOOKED',
      validValues: ['BalanceDue', 'Failed', 'Pending', 'CreditOwed', 'Paid'],
    });
    expect(lookup.problem.message).toContain('"BOOKED"');
    expect(lookup.problem.message).toContain('"payed"');
    expect(lookup.problem.message).toContain('BalanceDue, Failed, Pending, CreditOwed, Paid');
  });

  it.each([
    ['an array', [1, 2]],
    ['no "fluent" key', { RECEIVED: 'Open' }],
    ['"fluent" not an object', { fluent: 'Open' }],
    ['plain text', 'not json'],
  ])('a malformed setting (%s) is a problem naming it for every status', (_label, json) => {
    const m = parseStatusMapping('fc.connect.x.order.order-status-mapping', 'orderState', json);
    const lookup = m.lookup('RECEIVED');
    expect(lookup.kind).toBe('invalid');
    expect(lookup.kind === 'invalid' && lookup.problem.message).toMatch(
      /fc\.connect\.x\.order\.order-status-mapping must be a JSON object \{"fluent"/,
    );
  });
});
