import { describe, expect, it, vi } from 'vitest';
import { TokenCache, type FetchedToken } from '../../../../processor/downstream/token-cache.js';

function setup(lifetimeSeconds = 3600) {
  let now = 1_000_000;
  let issued = 0;
  const pending: Array<(t: FetchedToken) => void> = [];
  const fetchToken = vi.fn(
    () =>
      new Promise<FetchedToken>((resolve) => {
        pending.push(resolve);
      }),
  );
  const cache = new TokenCache(fetchToken, { now: () => now, refreshBeforeExpiryMs: 60_000 });
  const issue = () => {
    issued++;
    for (const resolve of pending.splice(0))
      resolve({ accessToken: `token-${issued}`, expiresInSeconds: lifetimeSeconds });
  };
  return { cache, fetchToken, issue, advance: (ms: number) => (now += ms) };
}

describe('TokenCache', () => {
  it('fetches once for concurrent callers (single flight) and serves the cached token afterwards', async () => {
    const { cache, fetchToken, issue } = setup();
    const callers = [cache.get(), cache.get(), cache.get()];
    issue();
    expect(await Promise.all(callers)).toEqual(['token-1', 'token-1', 'token-1']);
    expect(await cache.get()).toBe('token-1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('refreshes shortly before expiry, not after', async () => {
    const { cache, fetchToken, issue, advance } = setup(3600);
    const first = cache.get();
    issue();
    await first;
    advance(3600_000 - 60_001);
    expect(await cache.get()).toBe('token-1');
    advance(2);
    const second = cache.get();
    issue();
    expect(await second).toBe('token-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('caps the refresh margin at half of a short lifetime', async () => {
    const { cache, fetchToken, issue, advance } = setup(60);
    const first = cache.get();
    issue();
    await first;
    advance(29_000);
    expect(await cache.get()).toBe('token-1');
    advance(2_000);
    const second = cache.get();
    issue();
    expect(await second).toBe('token-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('invalidate drops the rejected token once; a stale invalidate does not drop the newer token', async () => {
    const { cache, fetchToken, issue } = setup();
    const first = cache.get();
    issue();
    const rejected = await first;
    cache.invalidate(rejected);
    const second = cache.get();
    issue();
    expect(await second).toBe('token-2');
    cache.invalidate(rejected); // a late 401 for the old token
    expect(await cache.get()).toBe('token-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('a failed fetch is not cached: the next call tries again', async () => {
    let calls = 0;
    const cache = new TokenCache(() => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('auth down'));
      return Promise.resolve({ accessToken: 'ok', expiresInSeconds: 100 });
    });
    await expect(cache.get()).rejects.toThrow('auth down');
    expect(await cache.get()).toBe('ok');
  });
});
