import { describe, expect, it } from 'vitest';
import { Batcher, BatcherClosedError, BatcherOverloadedError, BatchTimeoutError } from '../../../ingress/batcher.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Batcher', () => {
  it('coalesces messages added in the same turn into one call, resolving each on its ack', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number>(async (messages) => {
      calls.push(messages);
    });
    await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('queues while maxInFlight calls are outstanding and sends the backlog as one batch when a slot frees', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    const calls: number[][] = [];
    const batcher = new Batcher<number>(
      (messages) => {
        calls.push(messages);
        const gate = deferred();
        gates.push(gate);
        return gate.promise;
      },
      { maxInFlight: 1 },
    );
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    gates[0]!.resolve();
    await first;
    expect(calls).toEqual([[1], [2, 3, 4]]);
    gates[1]!.resolve();
    await Promise.all(rest);
  });

  it('splits by maxBatchSize and by maxBatchBytes', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string>(
      async (messages) => {
        calls.push(messages);
      },
      { maxBatchSize: 3, maxInFlight: 10, maxBatchBytes: 10, sizeOf: (m) => m.length },
    );
    await Promise.all(['a', 'b', 'c', 'd', 'eeeeeeee', 'ffffffffffff', 'g'].map((m) => batcher.add(m)));
    expect(calls).toEqual([['a', 'b', 'c'], ['d', 'eeeeeeee'], ['ffffffffffff'], ['g']]);
  });

  it('fails every message of a failed batch, and only those', async () => {
    let n = 0;
    const batcher = new Batcher<number>(async () => {
      if (n++ === 0) throw new Error('broker down');
    });
    const failed = [batcher.add(1), batcher.add(2)];
    await expect(failed[0]).rejects.toThrow('broker down');
    await expect(failed[1]).rejects.toThrow('broker down');
    await expect(batcher.add(3)).resolves.toBeUndefined();
  });

  it('fails a batch that is not acknowledged in time and frees its slot', async () => {
    let call = 0;
    const batcher = new Batcher<number>(() => (call++ === 0 ? new Promise<void>(() => {}) : Promise.resolve()), {
      timeoutMs: 50,
      maxInFlight: 1,
    });
    await expect(batcher.add(1)).rejects.toBeInstanceOf(BatchTimeoutError);
    await expect(batcher.add(2)).resolves.toBeUndefined();
  });

  it('waits at most lingerMs when idle', async () => {
    const sent: number[] = [];
    const batcher = new Batcher<number>(
      async (messages) => {
        sent.push(...messages);
      },
      { lingerMs: 30 },
    );
    const started = performance.now();
    const pending = batcher.add(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(sent).toEqual([]);
    await pending;
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('refuses beyond maxQueued, and after close; close flushes what is pending', async () => {
    const gate = deferred();
    const batcher = new Batcher<number>(() => gate.promise, { maxInFlight: 1, maxQueued: 1 });
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    const queued = batcher.add(2);
    await expect(batcher.add(3)).rejects.toBeInstanceOf(BatcherOverloadedError);
    const closing = batcher.close();
    await expect(batcher.add(4)).rejects.toBeInstanceOf(BatcherClosedError);
    gate.resolve();
    await closing;
    await Promise.all([first, queued]);
    expect(batcher.pending).toBe(0);
  });
});
