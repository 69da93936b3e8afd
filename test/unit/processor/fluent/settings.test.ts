import { describe, expect, it } from 'vitest';
import { pickSettings, settingJson } from '../../../../processor/fluent/settings.js';

const NAME = 'fc.connect.commercetools.order.order-status-mapping';
const setting = (context: string, contextId: number, lobValue: unknown, value: unknown = null) => ({
  name: NAME,
  context,
  contextId,
  lobValue,
  value,
});

describe('pickSettings (RETAILER → ACCOUNT fallback)', () => {
  it.each([
    ['retailer setting wins', [setting('ACCOUNT', 0, { a: 1 }), setting('RETAILER', 5, { r: 5 })], 5, { r: 5 }],
    [
      'other retailer ignored → account',
      [setting('RETAILER', 6, { r: 6 }), setting('ACCOUNT', 0, { a: 1 })],
      5,
      { a: 1 },
    ],
    ['account only', [setting('ACCOUNT', 0, { a: 1 })], 5, { a: 1 }],
    [
      'non-numeric retailer → account',
      [setting('RETAILER', 5, { r: 5 }), setting('ACCOUNT', 0, { a: 1 })],
      undefined,
      { a: 1 },
    ],
    ['ACCOUNT with a non-zero id is not the account setting', [setting('ACCOUNT', 5, { a: 5 })], 5, undefined],
    ['none', [], 5, undefined],
  ])('%s', (_label, settings, retailerId, expected) => {
    const values = pickSettings([NAME], settings, retailerId);
    expect(values.get(NAME)).toEqual(expected);
    expect(values.has(NAME)).toBe(expected !== undefined);
  });
});

describe('settingJson', () => {
  it.each([
    ['lobValue object', { lobValue: { fluent: { A: 'Open' } } }, { fluent: { A: 'Open' } }],
    ['lobValue JSON text', { lobValue: '{"fluent":{"A":"Open"}}' }, { fluent: { A: 'Open' } }],
    ['legacy JSON string in value', { lobValue: null, value: '{"fluent":{"A":"paid"}}' }, { fluent: { A: 'paid' } }],
    ['non-JSON text stays text', { lobValue: null, value: 'Open' }, 'Open'],
    ['nothing', { lobValue: null, value: null }, undefined],
  ])('%s', (_label, s, expected) => {
    expect(settingJson({ name: NAME, ...s })).toEqual(expected);
  });
});
