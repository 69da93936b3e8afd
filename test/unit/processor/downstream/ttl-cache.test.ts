import { describe, expect, it, vi } from 'vitest';
import { TtlCache } from '../../../../processor/downstream/ttl-cache.js';

describe('TtlCache', () => {
  function setup() {
    let now = 0;
    let version = 0;
    let failing = false;
    const load = vi.fn((key: string) => {
      if (failing) return Promise.reject(new Error('fluent down'));
      version++;
      return Promise.resolve(`${key}@${version}`);
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
