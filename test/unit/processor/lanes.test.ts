import { describe, expect, it } from 'vitest';
import { CommitFrontier, KeyedLanes, Semaphore } from '../../../processor/lanes.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CommitFrontier', () => {
  it('advances only over a contiguous run of done offsets', () => {
    const f = new CommitFrontier();
    for (const o of ['10', '11', '12', '13']) f.track(o);
    expect(f.complete('12')).toBeUndefined();
    expect(f.lastDone).toBeUndefined();
    expect(f.lowestPending).toBe('10');
    expect(f.complete('10')).toBe('10');
    expect(f.complete('11')).toBe('12'); // jumps over the already-done 12
    expect(f.pending).toBe(1);
    expect(f.complete('13')).toBe('13');
    expect(f.lowestPending).toBeUndefined();
  });

  it('rejects unknown and duplicate offsets', () => {
    const f = new CommitFrontier();
    f.track('1');
    expect(() => f.track('1')).toThrow(/already tracked/);
    expect(() => f.complete('2')).toThrow(/not tracked/);
  });
});

describe('Semaphore', () => {
  it('hands permits to waiters in order', async () => {
    const s = new Semaphore(1);
    expect(s.acquire()).toBeUndefined();
    const order: number[] = [];
    void s.acquire()!.then(() => order.push(1));
    void s.acquire()!.then(() => order.push(2));
    expect(s.waiting).toBe(2);
    s.release();
    await tick();
    s.release();
    await tick();
    expect(order).toEqual([1, 2]);
    expect(s.inUse).toBe(1);
  });
});

describe('KeyedLanes', () => {
  it('runs one key strictly in order and different keys concurrently, within the global limit', async () => {
    const lanes = new KeyedLanes(new Semaphore(2));
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const run = (key: string, id: string) =>
      lanes.run(key, async () => {
        started.push(id);
        const d = deferred();
        gates.set(id, d);
        await d.promise;
        return id;
      });
    const results = [run('a', 'a1'), run('a', 'a2'), run('b', 'b1'), run('c', 'c1')];
    await tick();
    expect(started).toEqual(['a1', 'b1']); // a2 waits for a1, c1 for a permit
    gates.get('a1')!.resolve();
    await tick();
    await tick();
    // c1 was already waiting for a permit; a2 only asks for one once a1 is finished (FIFO, no starvation).
    expect(started).toEqual(['a1', 'b1', 'c1']);
    gates.get('b1')!.resolve();
    await tick();
    await tick();
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    gates.get('a2')!.resolve();
    gates.get('c1')!.resolve();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1', 'c1']);
    await tick();
    expect(lanes.activeKeys).toBe(0);
  });

  it('keeps the lane going after a task fails', async () => {
    const lanes = new KeyedLanes(new Semaphore(4));
    const failed = lanes.run('k', () => Promise.reject(new Error('boom')));
    const next = lanes.run('k', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
