import { afterEach, describe, expect, it, vi } from 'vitest';
import { isConnectorError } from '../../../common/index.js';
import { Batcher } from '../../../ingress/batcher.js';

/** Batcher failures are connector errors, told apart by code. */
const failure = (code: string) => expect.toSatisfy((e: unknown) => isConnectorError(e) && e.code === code);

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
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces messages added in the same turn into one call, resolving each on its ack', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number>((messages) => {
      calls.push(messages);
      return Promise.resolve();
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
      (messages) => {
        calls.push(messages);
        return Promise.resolve();
      },
      { maxBatchSize: 3, maxInFlight: 10, maxBatchBytes: 10, sizeOf: (m) => m.length },
    );
    await Promise.all(['a', 'b', 'c', 'd', 'eeeeeeee', 'ffffffffffff', 'g'].map((m) => batcher.add(m)));
    expect(calls).toEqual([['a', 'b', 'c'], ['d', 'eeeeeeee'], ['ffffffffffff'], ['g']]);
  });

  it('fails every message of a failed batch, and only those', async () => {
    let n = 0;
    const batcher = new Batcher<number>(() =>
      n++ === 0 ? Promise.reject(new Error('broker down')) : Promise.resolve(),
    );
    const failed = [batcher.add(1), batcher.add(2)];
    await expect(failed[0]).rejects.toThrow('broker down');
    await expect(failed[1]).rejects.toThrow('broker down');
    await expect(batcher.add(3)).resolves.toBeUndefined();
  });

  it('fails a batch that is not acknowledged in time with BATCH_TIMEOUT and frees its slot', async () => {
    vi.useFakeTimers();
    let call = 0;
    const batcher = new Batcher<number>(() => (call++ === 0 ? new Promise<void>(() => {}) : Promise.resolve()), {
      timeoutMs: 50,
      maxInFlight: 1,
    });
    const first = batcher.add(1);
    const settled = expect(first).rejects.toEqual(failure('BATCH_TIMEOUT'));
    await vi.advanceTimersByTimeAsync(49);
    expect(batcher.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    const second = batcher.add(2);
    await vi.advanceTimersByTimeAsync(0);
    await expect(second).resolves.toBeUndefined();
  });

  it('waits at most lingerMs when idle', async () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const batcher = new Batcher<number>(
      (messages) => {
        sent.push(...messages);
        return Promise.resolve();
      },
      { lingerMs: 30 },
    );
    const pending = batcher.add(1);
    await vi.advanceTimersByTimeAsync(29);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([1]);
    await pending;
  });

  it('refuses beyond maxQueued, and after close; close flushes what is pending', async () => {
    const gate = deferred();
    const batcher = new Batcher<number>(() => gate.promise, { maxInFlight: 1, maxQueued: 1 });
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    const queued = batcher.add(2);
    await expect(batcher.add(3)).rejects.toEqual(failure('BATCHER_OVERLOADED'));
    const closing = batcher.close();
    await expect(batcher.add(4)).rejects.toEqual(failure('BATCHER_CLOSED'));
    gate.resolve();
    await closing;
    await Promise.all([first, queued]);
    expect(batcher.pending).toBe(0);
  });
});
