/** ORDER_STATE_PROGRESSIONS: parsing, validation and the forward comparison. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../common/index.js';
import { parseOrderStatusEnv } from '../../../../../processor/handlers/order-status/config.js';
import {
  DEFAULT_PROGRESSIONS,
  describeProgressions,
  movesForward,
  parseProgressions,
} from '../../../../../processor/handlers/order-status/progressions.js';

describe('parseProgressions', () => {
  it('the defaults are the documented progressions', () => {
    expect(describeProgressions(DEFAULT_PROGRESSIONS)).toBe(
      'order=Open<Confirmed<Complete; payment=Pending<Paid; shipment=Pending<Ready<Partial<Shipped<Delivered',
    );
    expect(parseProgressions(describeProgressions(DEFAULT_PROGRESSIONS))).toEqual({
      progressions: DEFAULT_PROGRESSIONS,
    });
  });

  it('replaces only the dimensions it names; values are normalised; an empty list turns a dimension off', () => {
    expect(parseProgressions(' payment = pending < paid < credit-owed ;shipmentState= ')).toEqual({
      progressions: {
        ...DEFAULT_PROGRESSIONS,
        paymentState: ['Pending', 'Paid', 'CreditOwed'],
        shipmentState: [],
      },
    });
  });

  it.each([
    ['payment=Pending<Payed', /paymentState: "Payed" is no member; valid values: BalanceDue, Failed/],
    ['order=Open<Open', /orderState: Open is listed twice/],
    ['delivery=Pending', /"delivery=Pending" is not <order\|payment\|shipment>=/],
    ['Open<Confirmed', /is not <order\|payment\|shipment>=/],
    ['order=Open; order=Complete', /orderState is given twice/],
    ['shipment=Shipped<Paid', /shipmentState: "Paid" is no member/],
  ])('%j is refused', (text, problem) => {
    const parsed = parseProgressions(text);
    expect('problems' in parsed && parsed.problems.join('\n')).toMatch(problem);
  });
});

describe('movesForward', () => {
  const payment = DEFAULT_PROGRESSIONS.paymentState;
  it.each([
    [null, 'Pending', true],
    [undefined, 'Paid', true],
    ['Pending', 'Paid', true],
    ['Paid', 'Pending', false],
    ['Paid', 'Paid', false],
    [null, 'Failed', false],
    ['Failed', 'Paid', false],
    ['Paid', 'CreditOwed', false],
  ] as const)('%s → %s: %s', (from, to, expected) => {
    expect(movesForward(payment, from, to)).toBe(expected);
  });
});

describe('ORDER_STATE_PROGRESSIONS', () => {
  const ENV = {
    FLUENT_BASE_URL: 'http://127.0.0.1:1',
    FLUENT_CLIENT_ID: 'a',
    FLUENT_CLIENT_SECRET: 'b',
    FLUENT_USERNAME: 'c',
    FLUENT_PASSWORD: 'd',
    CT_AUTH_URL: 'http://127.0.0.1:1',
    CT_API_URL: 'http://127.0.0.1:1',
    CT_CLIENT_ID: 'e',
    CT_CLIENT_SECRET: 'f',
    CT_PROJECT_KEY: 'p',
  };

  it('unset or blank → the defaults', () => {
    expect(parseOrderStatusEnv(ENV).progressions).toEqual(DEFAULT_PROGRESSIONS);
    expect(parseOrderStatusEnv({ ...ENV, ORDER_STATE_PROGRESSIONS: ' ' }).progressions).toEqual(DEFAULT_PROGRESSIONS);
  });

  it('a valid value replaces the named dimension', () => {
    const config = parseOrderStatusEnv({ ...ENV, ORDER_STATE_PROGRESSIONS: 'payment=Pending<Paid<CreditOwed' });
    expect(config.progressions?.paymentState).toEqual(['Pending', 'Paid', 'CreditOwed']);
  });

  it('an invalid value stops the start with a ConfigError naming the variable and the valid values', () => {
    expect(() => parseOrderStatusEnv({ ...ENV, ORDER_STATE_PROGRESSIONS: 'payment=Pending<payed' })).toThrowError(
      ConfigError,
    );
    try {
      parseOrderStatusEnv({ ...ENV, ORDER_STATE_PROGRESSIONS: 'payment=Pending<payed' });
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /ORDER_STATE_PROGRESSIONS: paymentState: "payed" is no member; valid values: BalanceDue, Failed, Pending, CreditOwed, Paid/,
      );
    }
  });
});
