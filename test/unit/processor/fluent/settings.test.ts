import { describe, expect, it } from 'vitest';
import { chooseSettings, settingJson } from '../../../../processor/fluent/settings.js';

const NAME = 'fc.connect.commercetools.order.order-status-mapping';
const OTHER = 'fc.connect.commerce-tools.order.order-status-mapping';
const setting = (context: string, contextId: number, lobValue: unknown, value: unknown = null, name = NAME) => ({
  name,
  context,
  contextId,
  lobValue,
  value,
});

describe('chooseSettings (RETAILER → ACCOUNT fallback)', () => {
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
    const choices = chooseSettings({ order: [NAME] }, settings, retailerId);
    expect(choices.order?.value).toEqual(expected);
    expect('order' in choices).toBe(expected !== undefined);
  });
});

describe('chooseSettings (a setting spelled two ways)', () => {
  const wanted = { order: [NAME, OTHER] };

  it.each([
    [
      'the preferred name wins within a context',
      [setting('ACCOUNT', 0, 2, null, OTHER), setting('ACCOUNT', 0, 1)],
      5,
      NAME,
      'ACCOUNT',
    ],
    ['the other spelling is found', [setting('ACCOUNT', 0, 2, null, OTHER)], 5, OTHER, 'ACCOUNT'],
    [
      'a retailer setting under the other spelling beats the account one',
      [setting('ACCOUNT', 0, 1), setting('RETAILER', 5, 2, null, OTHER)],
      5,
      OTHER,
      'RETAILER',
    ],
    [
      'the preferred name in RETAILER',
      [setting('RETAILER', 5, 1), setting('RETAILER', 5, 2, null, OTHER)],
      5,
      NAME,
      'RETAILER',
    ],
  ])('%s', (_label, settings, retailerId, name, context) => {
    expect(chooseSettings(wanted, settings, retailerId).order).toMatchObject({ name, context });
  });

  it('each setting is chosen on its own', () => {
    const choices = chooseSettings(
      { order: [NAME, OTHER], payment: ['p.commercetools', 'p.commerce-tools'] },
      [setting('ACCOUNT', 0, 1), setting('ACCOUNT', 0, 2, null, 'p.commerce-tools')],
      5,
    );
    expect(choices).toEqual({
      order: { name: NAME, context: 'ACCOUNT', value: 1 },
      payment: { name: 'p.commerce-tools', context: 'ACCOUNT', value: 2 },
    });
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
