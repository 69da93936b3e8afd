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
      deadlineMs: 1_000, // later than the batch timeout, which is what this test is about
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

  describe('deadline: every message is answered within deadlineMs of joining the queue', () => {
    /** A producer that never answers (a hung broker); records what it was handed. */
    function hungProducer() {
      const sent: number[] = [];
      const send = (messages: number[]) => {
        sent.push(...messages);
        return new Promise<void>(() => {});
      };
      return { sent, send };
    }

    it('answers 5,000 messages queued behind a hung producer by their deadline, and never produces them after', async () => {
      vi.useFakeTimers();
      const producer = hungProducer();
      // Defaults: 500 per batch, 2 in flight, 5 s timeout; the deadline defaults to the timeout.
      const batcher = new Batcher<number>(producer.send);
      const answeredAt: number[] = [];
      const codes = new Set<string>();
      const started = Date.now();
      const answers = Array.from({ length: 5_000 }, (_, n) =>
        batcher.add(n).then(
          () => expect.fail('a hung producer acknowledged nothing'),
          (error: unknown) => {
            answeredAt.push(Date.now() - started);
            codes.add(isConnectorError(error) ? error.code : String(error));
          },
        ),
      );
      await vi.advanceTimersByTimeAsync(4_999);
      expect(answeredAt).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(answeredAt).toHaveLength(5_000);
      expect(Math.max(...answeredAt)).toBe(5_000);
      // Both are answered 503 KAFKA_UNAVAILABLE by the ingress.
      expect([...codes].filter((code) => code !== 'PRODUCE_DEADLINE' && code !== 'BATCH_TIMEOUT')).toEqual([]);
      // Only the two batches handed to the producer at the start were ever produced; the rest left the queue unsent.
      await vi.advanceTimersByTimeAsync(60_000);
      expect(producer.sent).toHaveLength(1_000);
      expect(batcher.pending).toBe(0);
      await Promise.all(answers);
    });

    it('answers a message already in a (hung) produce call at its own deadline, not the batch timeout', async () => {
      vi.useFakeTimers();
      const first = deferred();
      let call = 0;
      const batcher = new Batcher<number>(() => (call++ === 0 ? first.promise : new Promise<void>(() => {})), {
        maxInFlight: 1,
        timeoutMs: 5_000,
      });
      const one = batcher.add(1);
      await vi.advanceTimersByTimeAsync(0);
      const two = batcher.add(2);
      const twoAnswer = expect(two).rejects.toEqual(failure('PRODUCE_DEADLINE'));
      await vi.advanceTimersByTimeAsync(4_000);
      first.resolve(); // message 2 is now handed to a produce call that hangs
      await one;
      await vi.advanceTimersByTimeAsync(999);
      expect(call).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      await twoAnswer; // at 5 s after it was added; its batch would time out only at 9 s
    });

    it("tells a message answered inside a produce call that call's final outcome (in doubt), not a queued one", async () => {
      vi.useFakeTimers();
      const hung = deferred();
      const batcher = new Batcher<number>(() => hung.promise, { maxInFlight: 1, maxBatchSize: 1, timeoutMs: 5_000 });
      const outcomes: Promise<boolean>[] = [];
      let queuedInDoubt = false;
      const inCall = expect(batcher.add(1, (o) => outcomes.push(o))).rejects.toEqual(failure('PRODUCE_DEADLINE'));
      await vi.advanceTimersByTimeAsync(0);
      const queued = expect(batcher.add(2, () => (queuedInDoubt = true))).rejects.toEqual(failure('PRODUCE_DEADLINE'));
      await vi.advanceTimersByTimeAsync(5_000);
      await Promise.all([inCall, queued]);
      expect(outcomes).toHaveLength(1);
      expect(queuedInDoubt).toBe(false); // it left the queue unsent
      hung.resolve();
      expect(await outcomes[0]).toBe(true);
    });

    it('reports a failed call as outcome false, and a batch timeout as in doubt too', async () => {
      vi.useFakeTimers();
      const hung = deferred();
      const batcher = new Batcher<number>(() => hung.promise, { timeoutMs: 1_000, deadlineMs: 5_000 });
      const outcomes: Promise<boolean>[] = [];
      const answer = expect(batcher.add(1, (o) => outcomes.push(o))).rejects.toEqual(failure('BATCH_TIMEOUT'));
      await vi.advanceTimersByTimeAsync(1_000);
      await answer;
      hung.reject(new Error('NOT_ENOUGH_REPLICAS'));
      expect(await outcomes[0]).toBe(false);
    });

    it('honours a separate deadlineMs', async () => {
      vi.useFakeTimers();
      const producer = hungProducer();
      const batcher = new Batcher<number>(producer.send, { maxInFlight: 1, timeoutMs: 5_000, deadlineMs: 1_000 });
      const answers = [1, 2].map((n) => expect(batcher.add(n)).rejects.toEqual(failure('PRODUCE_DEADLINE')));
      await vi.advanceTimersByTimeAsync(1_000);
      await Promise.all(answers);
    });
  });

  it('bounds the queue by bytes: refuses a message that would exceed maxQueuedBytes, takes any into an empty queue', async () => {
    const gate = deferred();
    const batcher = new Batcher<string>(() => gate.promise, {
      maxInFlight: 1,
      maxQueuedBytes: 10,
      sizeOf: (m) => m.length,
    });
    const inFlight = batcher.add('in flight, not counted');
    await new Promise((r) => setImmediate(r));
    const big = batcher.add('twelve bytes'); // alone in the queue: always taken
    await expect(batcher.add('x')).rejects.toEqual(failure('BATCHER_OVERLOADED'));
    gate.resolve();
    await Promise.all([inFlight, big]);
    const small = ['aaaa', 'bbbbbb'].map((m) => batcher.add(m));
    await expect(batcher.add('c')).rejects.toEqual(failure('BATCHER_OVERLOADED'));
    await Promise.all(small);
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
