import { describe, expect, it, vi } from 'vitest';
import { pickSettings, settingJson, TtlCache } from '../../../../processor/fluent/settings.js';

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

describe('TtlCache', () => {
  function setup() {
    let now = 0;
    let version = 0;
    let failing = false;
    const load = vi.fn(async (key: string) => {
      if (failing) throw new Error('fluent down');
      version++;
      return `${key}@${version}`;
    });
    const onStale = vi.fn();
    const cache = new TtlCache(load, { ttlMs: 1_000, retryAfterErrorMs: 200, now: () => now, onStale });
    return {
      cache,
      load,
      onStale,
      advance: (ms: number) => (now += ms),
      fail: (on: boolean) => (failing = on),
    };
  }

  it('loads once per key for concurrent callers and within the TTL', async () => {
    const { cache, load, advance } = setup();
    expect(await Promise.all([cache.get('1'), cache.get('1'), cache.get('1')])).toEqual(['1@1', '1@1', '1@1']);
    advance(999);
    expect(await cache.get('1')).toBe('1@1');
    expect(load).toHaveBeenCalledTimes(1);
    advance(1);
    expect(await cache.get('1')).toBe('1@2');
    expect(await cache.get('2')).toBe('2@3');
  });

  it('serves the stale value while the source fails, retrying at most every retryAfterErrorMs', async () => {
    const { cache, load, advance, fail, onStale } = setup();
    await cache.get('1');
    fail(true);
    advance(1_000);
    expect(await cache.get('1')).toBe('1@1');
    expect(onStale).toHaveBeenCalledTimes(1);
    advance(100);
    expect(await cache.get('1')).toBe('1@1');
    expect(load).toHaveBeenCalledTimes(2); // no new attempt within 200 ms
    advance(100);
    expect(await cache.get('1')).toBe('1@1');
    expect(load).toHaveBeenCalledTimes(3);
    fail(false);
    advance(200);
    expect(await cache.get('1')).toBe('1@2');
  });

  it('without a value to fall back on, the error propagates and is not cached', async () => {
    const { cache, fail, load } = setup();
    fail(true);
    await expect(cache.get('1')).rejects.toThrow('fluent down');
    fail(false);
    expect(await cache.get('1')).toBe('1@1');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
