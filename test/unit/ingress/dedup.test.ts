import { describe, expect, it } from 'vitest';
import { DedupWindow } from '../../../ingress/dedup.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('DedupWindow', () => {
  it('produces once and answers repeats as duplicates', async () => {
    const window = new DedupWindow();
    let calls = 0;
    const produce = () => {
      calls++;
      return Promise.resolve();
    };
    expect(await window.run('a', produce)).toBe('produced');
    expect(await window.run('a', produce)).toBe('duplicate');
    expect(await window.run('b', produce)).toBe('produced');
    expect(calls).toBe(2);
  });

  it('records an id only after the produce succeeded, so a failed attempt can be retried', async () => {
    const window = new DedupWindow();
    await expect(window.run('a', () => Promise.reject(new Error('kafka down')))).rejects.toThrow('kafka down');
    expect(window.seen('a')).toBe(false);
    expect(await window.run('a', async () => {})).toBe('produced');
  });

  it('lets concurrent requests for one id share the pending produce (and its failure)', async () => {
    const window = new DedupWindow();
    const gate = deferred();
    let calls = 0;
    const first = window.run('a', () => {
      calls++;
      return gate.promise;
    });
    const second = window.run('a', () => {
      calls++;
      return Promise.resolve();
    });
    expect(window.seen('a')).toBe(false);
    gate.resolve();
    expect(await first).toBe('produced');
    expect(await second).toBe('duplicate');
    expect(calls).toBe(1);

    const failing = deferred();
    const x = window.run('b', () => failing.promise);
    const y = window.run('b', async () => {});
    failing.reject(new Error('boom'));
    await expect(x).rejects.toThrow('boom');
    await expect(y).rejects.toThrow('boom');
    expect(window.seen('b')).toBe(false);
  });

  it('forgets ids after the TTL and evicts the oldest beyond the size bound', async () => {
    let now = 0;
    const window = new DedupWindow({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    await window.run('a', async () => {});
    now = 500;
    await window.run('b', async () => {});
    await window.run('c', async () => {});
    expect(window.size).toBe(2);
    expect(window.seen('a')).toBe(false);
    expect(window.seen('b')).toBe(true);
    now = 1_600;
    expect(window.seen('b')).toBe(false);
  });

  it('keeps an id answered while its produce call ran in doubt until that call settles, then records it if acknowledged', async () => {
    const window = new DedupWindow();
    const call = deferred();
    const acknowledged = call.promise.then(
      () => true,
      () => false,
    );
    await expect(
      window.run('a', (markInDoubt) => {
        markInDoubt(acknowledged);
        return Promise.reject(new Error('deadline'));
      }),
    ).rejects.toThrow('deadline');
    expect(window.inDoubtSize).toBe(1);
    expect(window.seen('a')).toBe(false);
    call.resolve();
    await acknowledged;
    expect(window.inDoubtSize).toBe(0);
    expect(window.seen('a')).toBe(true);
  });

  it('bounds the in-doubt ids by the size bound and the TTL', async () => {
    let now = 0;
    const window = new DedupWindow({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    const never = new Promise<boolean>(() => {});
    const inDoubt = (id: string) =>
      window
        .run(id, (markInDoubt) => {
          markInDoubt(never);
          return Promise.reject(new Error('deadline'));
        })
        .catch(() => {});
    await inDoubt('a');
    await inDoubt('b');
    await inDoubt('c');
    expect(window.inDoubtSize).toBe(2);
    expect(await window.run('a', async () => {})).toBe('produced'); // evicted: no longer held back
    now = 1_600;
    expect(await window.run('b', async () => {})).toBe('produced'); // aged out
  });

  it('can be disabled with maxEntries 0', async () => {
    const window = new DedupWindow({ maxEntries: 0 });
    expect(await window.run('a', async () => {})).toBe('produced');
    expect(await window.run('a', async () => {})).toBe('produced');
  });
});
