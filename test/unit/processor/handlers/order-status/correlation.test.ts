import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../../../../processor/errors.js';
import { locateOrder, locatorKey } from '../../../../../processor/handlers/order-status/correlation.js';

const order = {
  ref: 'HD_1001',
  attributes: [
    { name: 'CT_ORDER_NUMBER', value: 'CT-77' },
    { name: 'NUMERIC', value: 42 },
    { name: 'EMPTY', value: '  ' },
  ],
};

describe('locateOrder', () => {
  it.each([
    [{ strategy: 'orderNumber' as const }, { by: 'orderNumber', value: 'HD_1001' }],
    [{ strategy: 'id' as const }, { by: 'id', value: 'HD_1001' }],
    [
      { strategy: 'strip-prefix' as const, prefix: 'HD_' },
      { by: 'orderNumber', value: '1001' },
    ],
    [
      { strategy: 'strip-prefix' as const, prefix: 'CC_' },
      { by: 'orderNumber', value: 'HD_1001' },
    ],
    [
      { strategy: 'attribute' as const, attribute: 'CT_ORDER_NUMBER' },
      { by: 'orderNumber', value: 'CT-77' },
    ],
    [
      { strategy: 'attribute' as const, attribute: 'NUMERIC' },
      { by: 'orderNumber', value: '42' },
    ],
  ])('%j → %j', (config, expected) => {
    expect(locateOrder(config, order)).toEqual(expected);
  });

  it.each(['MISSING', 'EMPTY'])('a missing or empty attribute (%s) is a non-retryable error naming it', (attribute) => {
    expect(() => locateOrder({ strategy: 'attribute', attribute }, order)).toThrowError(NonRetryableError);
    expect(() => locateOrder({ strategy: 'attribute', attribute }, order)).toThrowError(
      new RegExp(`HD_1001 has no usable attribute "${attribute}"`),
    );
  });

  it.each([
    ['HD_1001', { by: 'orderNumber', value: '1001' }],
    ['CC_77', { by: 'orderNumber', value: '77' }],
    ['HD_X_5', { by: 'orderNumber', value: '5' }],
    ['POS_9', { by: 'orderNumber', value: 'POS_9' }],
  ])('several prefixes, the longest that matches wins: %s → %j', (ref, expected) => {
    expect(locateOrder({ strategy: 'strip-prefix', prefixes: ['HD_', 'CC_', 'HD_X_'] }, { ref })).toEqual(expected);
  });

  it.each([
    ['HD_6b1f0c2e-aa', { by: 'id', value: '6b1f0c2e-aa' }],
    ['CC_1002', { by: 'id', value: '1002' }],
    ['1003', { by: 'id', value: '1003' }],
  ])('a pattern with one capture group and target id: %s → %j', (ref, expected) => {
    const config = { strategy: 'strip-prefix' as const, pattern: /^(?:HD|CC)_(.+)$/, target: 'id' as const };
    expect(locateOrder(config, { ref })).toEqual(expected);
  });

  it('a named capture group works as the capture group', () => {
    expect(locateOrder({ strategy: 'strip-prefix', pattern: /^HD_(?<number>\d+)$/ }, { ref: 'HD_42' })).toEqual({
      by: 'orderNumber',
      value: '42',
    });
  });

  it('the attribute strategy honours the target', () => {
    expect(locateOrder({ strategy: 'attribute', attribute: 'CT_ORDER_NUMBER', target: 'id' }, order)).toEqual({
      by: 'id',
      value: 'CT-77',
    });
  });

  it('a pattern whose capture is empty is rejected', () => {
    expect(() => locateOrder({ strategy: 'strip-prefix', pattern: /^HD_(\d*)$/ }, { ref: 'HD_' })).toThrowError(
      NonRetryableError,
    );
  });

  it('a ref that is only the prefix is rejected', () => {
    expect(() => locateOrder({ strategy: 'strip-prefix', prefix: 'HD_' }, { ref: 'HD_' })).toThrowError(
      NonRetryableError,
    );
  });

  it('locator keys differ by project, strategy and value', () => {
    const keys = new Set([
      locatorKey('p1', { by: 'orderNumber', value: 'a' }),
      locatorKey('p2', { by: 'orderNumber', value: 'a' }),
      locatorKey('p1', { by: 'id', value: 'a' }),
      locatorKey('p1', { by: 'orderNumber', value: 'b' }),
    ]);
    expect(keys.size).toBe(4);
  });
});
