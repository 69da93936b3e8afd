/** Coalesced downstream reads: one loadBatch per tenant and window, size flush, dedup, partial failures, aborts. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ReadCoalescer,
  soleCorrelationId,
  tenantKey,
  type BatchContext,
  type ReadCoalescerOptions,
} from '../../../../processor/downstream/read-coalescer.js';
import {
  DownstreamUnavailableError,
  NonRetryableError,
  RetryableError,
  isOutage,
  isRetriable,
} from '../../../../processor/errors.js';

type LoadBatch = ReadCoalescerOptions<string, string>['loadBatch'];

interface Call {
  readonly tenant: string;
  readonly keys: readonly string[];
  readonly signal: AbortSignal;
}

/** A loadBatch that answers `${tenant}/${key}` for every key, and records its calls. */
function echoing(calls: Call[] = []): LoadBatch & { calls: Call[] } {
  const load: LoadBatch = (tenant, keys, signal) => {
    calls.push({ tenant, keys: [...keys], signal });
    return Promise.resolve(new Map(keys.map((key) => [key, `${tenant}/${key}`])));
  };
  return Object.assign(load, { calls });
}

/** A loadBatch whose answers the test releases, to observe a batch while it is in flight. */
function held(): LoadBatch & { calls: Call[]; answer: (map: Map<string, string | null | Error>) => void } {
  const calls: Call[] = [];
  let answer: (map: Map<string, string | null | Error>) => void = () => {};
  const load: LoadBatch = (tenant, keys, signal) => {
    calls.push({ tenant, keys: [...keys], signal });
    return new Promise((resolve) => {
      answer = resolve;
    });
  };
  return Object.assign(load, { calls, answer: (map: Map<string, string | null | Error>) => answer(map) });
}

function coalescer(loadBatch: LoadBatch, options: Partial<ReadCoalescerOptions<string, string>> = {}) {
  return new ReadCoalescer<string, string>({ name: 'fluent orders', windowMs: 5, loadBatch, ...options });
}

/** Settles with what the read gave, so a rejection is not reported as unhandled before the test looks. */
function outcome<T>(read: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return read.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ReadCoalescer window', () => {
  it('reads of one tenant within the window become one loadBatch call, sent when the window ends', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const first = reads.load('A', 'o1');
    await vi.advanceTimersByTimeAsync(4);
    const second = reads.load('A', 'o2');
    expect(load.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(load.calls.map(({ tenant, keys }) => ({ tenant, keys }))).toEqual([{ tenant: 'A', keys: ['o1', 'o2'] }]);
    expect(await Promise.all([first, second])).toEqual(['A/o1', 'A/o2']);
  });

  it('the window is 2 ms by default and counts from the first read of the batch', async () => {
    const load = echoing();
    const reads = new ReadCoalescer<string, string>({ name: 'fluent orders', loadBatch: load });
    const read = reads.load('A', 'o1');
    await vi.advanceTimersByTimeAsync(1);
    expect(load.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(load.calls).toHaveLength(1);
    expect(await read).toBe('A/o1');
  });

  it('a read after the window starts the next batch', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const first = reads.load('A', 'o1');
    await vi.advanceTimersByTimeAsync(5);
    const second = reads.load('A', 'o2');
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o1'], ['o2']]);
    expect(await Promise.all([first, second])).toEqual(['A/o1', 'A/o2']);
  });

  it('windowMs 0 sends at the end of the tick, with the reads issued after awaits of that tick', async () => {
    const load = echoing();
    const reads = coalescer(load, { windowMs: 0 });
    const first = reads.load('A', 'o1');
    await Promise.resolve();
    const second = reads.load('A', 'o2');
    expect(load.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersToNextTimerAsync();
    expect(load.calls.map((call) => call.keys)).toEqual([['o1', 'o2']]);
    expect(await Promise.all([first, second])).toEqual(['A/o1', 'A/o2']);
  });

  it('tenants never share a batch, and a value of tenant A never answers tenant B for the same key id', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const fromA = reads.load('A', 'o1');
    const fromB = reads.load('B', 'o1');
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map(({ tenant, keys }) => ({ tenant, keys }))).toEqual([
      { tenant: 'A', keys: ['o1'] },
      { tenant: 'B', keys: ['o1'] },
    ]);
    expect(await fromA).toBe('A/o1');
    expect(await fromB).toBe('B/o1');
  });

  it('caches nothing: the same key in a later batch is read again', async () => {
    let version = 0;
    const reads = coalescer(() => Promise.resolve(new Map([['o1', `v${++version}`]])));
    const first = reads.load('A', 'o1');
    await vi.advanceTimersByTimeAsync(5);
    expect(await first).toBe('v1');
    const second = reads.load('A', 'o1');
    await vi.advanceTimersByTimeAsync(5);
    expect(await second).toBe('v2');
  });
});

describe('ReadCoalescer size flush', () => {
  it('the maxBatchSize-th distinct key sends the batch at once; later reads start a new batch', async () => {
    const load = echoing();
    const sizes: Array<[string, number]> = [];
    const reads = coalescer(load, { maxBatchSize: 3, onBatch: (tenant, size) => sizes.push([tenant, size]) });
    const full = ['o1', 'o2', 'o3'].map((key) => reads.load('A', key));
    expect(load.calls.map((call) => call.keys)).toEqual([['o1', 'o2', 'o3']]);
    expect(await Promise.all(full)).toEqual(['A/o1', 'A/o2', 'A/o3']);

    const next = reads.load('A', 'o4');
    expect(load.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o1', 'o2', 'o3'], ['o4']]);
    expect(await next).toBe('A/o4');
    expect(sizes).toEqual([
      ['A', 3],
      ['A', 1],
    ]);
  });

  it('the early flush sends the batch once: its window timer no longer fires', async () => {
    const load = echoing();
    const reads = coalescer(load, { maxBatchSize: 2 });
    const full = [reads.load('A', 'o1'), reads.load('A', 'o2')];
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(load.calls).toHaveLength(1);
    expect(await Promise.all(full)).toEqual(['A/o1', 'A/o2']);
  });

  it('a repeated key does not count towards the size', async () => {
    const load = echoing();
    const reads = coalescer(load, { maxBatchSize: 2 });
    const repeated = [reads.load('A', 'o1'), reads.load('A', 'o1')];
    expect(load.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o1']]);
    expect(await Promise.all(repeated)).toEqual(['A/o1', 'A/o1']);
  });
});

describe('ReadCoalescer keys and results', () => {
  it('the same key twice in one window is read once and both reads get its value', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const both = [reads.load('A', 'o1'), reads.load('A', 'o1')];
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o1']]);
    expect(await Promise.all(both)).toEqual(['A/o1', 'A/o1']);
  });

  it('dedups and looks results up by keyId', async () => {
    const calls: Array<readonly { ref: string }[]> = [];
    const reads = new ReadCoalescer<{ ref: string }, number>({
      name: 'commercetools orders',
      keyId: (key) => key.ref,
      loadBatch: (_tenant, keys) => {
        calls.push(keys);
        return Promise.resolve(new Map(keys.map((key) => [key.ref, key.ref.length])));
      },
    });
    const both = [reads.load('A', { ref: 'abc' }), reads.load('A', { ref: 'abc' }), reads.load('A', { ref: 'de' })];
    await vi.advanceTimersByTimeAsync(2);
    expect(calls).toEqual([[{ ref: 'abc' }, { ref: 'de' }]]);
    expect(await Promise.all(both)).toEqual([3, 3, 2]);
  });

  it('a key missing from the answer, or answered null, reads as null', async () => {
    const reads = coalescer(() => Promise.resolve(new Map([['o2', null]])));
    const missing = reads.load('A', 'o1');
    const answeredNull = reads.load('A', 'o2');
    await vi.advanceTimersByTimeAsync(5);
    expect(await missing).toBeNull();
    expect(await answeredNull).toBeNull();
  });

  it("a key's own Error rejects only the reads of that key", async () => {
    const notAllowed = new NonRetryableError('fluent orders: order o2 is not readable');
    const reads = coalescer(() =>
      Promise.resolve(
        new Map<string, string | Error>([
          ['o1', 'one'],
          ['o2', notAllowed],
        ]),
      ),
    );
    const results = [reads.load('A', 'o1'), reads.load('A', 'o2'), reads.load('A', 'o2')].map(outcome);
    await vi.advanceTimersByTimeAsync(5);
    expect(await Promise.all(results)).toEqual([{ value: 'one' }, { error: notAllowed }, { error: notAllowed }]);
    const [, second] = await Promise.all(results);
    expect((second as { error: unknown }).error).toBe(notAllowed);
  });

  it.each([
    ['an outage', new DownstreamUnavailableError('fluent', 'fluent: 503 storm'), true, true],
    ['a retryable error', new RetryableError('fluent: timeout'), true, false],
    ['a non-retryable error', new NonRetryableError('fluent: bad request'), false, false],
  ])('a thrown batch error (%s) rejects every read with that same object', async (_kind, thrown, retriable, outage) => {
    const reads = coalescer(() => Promise.reject(thrown));
    const results = [reads.load('A', 'o1'), reads.load('A', 'o2'), reads.load('A', 'o2')].map(outcome);
    await vi.advanceTimersByTimeAsync(5);
    for (const result of await Promise.all(results)) {
      const { error } = result as { error: unknown };
      expect(error).toBe(thrown);
      expect(isRetriable(error)).toBe(retriable);
      expect(isOutage(error)).toBe(outage);
    }
  });

  it('a loadBatch that throws synchronously fails the batch the same way', async () => {
    const thrown = new RetryableError('fluent: socket hang up');
    const reads = coalescer(() => {
      throw thrown;
    });
    const results = [reads.load('A', 'o1'), reads.load('A', 'o2')].map(outcome);
    await vi.advanceTimersByTimeAsync(5);
    expect(await Promise.all(results)).toEqual([{ error: thrown }, { error: thrown }]);
  });

  it.each([
    ['an array', [['o1', 'one']], '[object Array]'],
    ['a plain object', { o1: 'one' }, '[object Object]'],
    ['undefined', undefined, '[object Undefined]'],
  ])('an answer that is %s rejects every read with an error naming the coalescer', async (_kind, answer, got) => {
    const reads = coalescer(() => Promise.resolve(answer as unknown as Map<string, string>));
    const results = [reads.load('A', 'o1'), reads.load('A', 'o2')].map(outcome);
    await vi.advanceTimersByTimeAsync(5);
    for (const result of await Promise.all(results)) {
      const { error } = result as { error: unknown };
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(
        `fluent orders: loadBatch must resolve to a Map of key id → value, got ${got}`,
      );
    }
  });
});

describe('ReadCoalescer correlation ids', () => {
  it("hands loadBatch the distinct correlation ids of the batch's reads, so a one-record batch can send its id", async () => {
    const contexts: BatchContext[] = [];
    const load: LoadBatch = (_tenant, keys, _signal, batch) => {
      contexts.push(batch);
      return Promise.resolve(new Map(keys.map((key) => [key, key])));
    };
    const reads = coalescer(load);
    const first = Promise.all([
      reads.load('t', 'a', undefined, 'event-1'),
      reads.load('t', 'a', undefined, 'event-2'),
      reads.load('t', 'b', undefined, 'event-1'),
      reads.load('t', 'c'),
    ]);
    await vi.advanceTimersByTimeAsync(5);
    await first;
    const second = reads.load('t', 'a', undefined, 'event-3');
    await vi.advanceTimersByTimeAsync(5);
    await second;
    expect(contexts.map((c) => c.correlationIds)).toEqual([['event-1', 'event-2'], ['event-3']]);
    expect(contexts.map((c) => soleCorrelationId(c))).toEqual([undefined, 'event-3']);
  });
});

describe('ReadCoalescer aborts', () => {
  it('a read whose signal aborts rejects at once; the batch still answers the other reads', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const leaving = new AbortController();
    const aborted = outcome(reads.load('A', 'o1', leaving.signal));
    const staying = reads.load('A', 'o1');
    leaving.abort();
    const { error } = (await aborted) as { error: unknown };
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe('fluent orders: aborted (shutting down)');
    expect(load.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o1']]);
    expect(load.calls[0]?.signal.aborted).toBe(false);
    expect(await staying).toBe('A/o1');
  });

  it('an already-aborted signal rejects without joining a batch', async () => {
    const load = echoing();
    const reads = coalescer(load, { maxBatchSize: 2 });
    const gone = AbortSignal.abort();
    const aborted = outcome(reads.load('A', 'o1', gone));
    const other = reads.load('A', 'o2');
    const { error } = (await aborted) as { error: unknown };
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe('fluent orders: aborted (shutting down)');
    // Had it joined, the batch would have held two distinct keys and been sent at once.
    expect(load.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o2']]);
    expect(await other).toBe('A/o2');
  });

  it('a key whose every read aborted before the window ended is left out of the request', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const leaving = new AbortController();
    const aborted = outcome(reads.load('A', 'o1', leaving.signal));
    const staying = reads.load('A', 'o2');
    leaving.abort();
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls.map((call) => call.keys)).toEqual([['o2']]);
    expect(await staying).toBe('A/o2');
    expect(await aborted).toMatchObject({ error: expect.any(RetryableError) });
  });

  it('no request is sent when every read of the batch aborted before the window ended', async () => {
    const load = echoing();
    const onBatch = vi.fn();
    const reads = coalescer(load, { onBatch });
    const leaving = new AbortController();
    const results = [reads.load('A', 'o1', leaving.signal), reads.load('A', 'o2', leaving.signal)].map(outcome);
    leaving.abort();
    await vi.advanceTimersByTimeAsync(5);
    expect(load.calls).toHaveLength(0);
    expect(onBatch).not.toHaveBeenCalled();
    for (const result of await Promise.all(results)) {
      expect(result).toMatchObject({ error: expect.any(RetryableError) });
    }
  });

  it("loadBatch's signal aborts only once every read still waiting on the sent batch has aborted", async () => {
    const load = held();
    const reads = coalescer(load);
    const first = new AbortController();
    const second = new AbortController();
    const results = [reads.load('A', 'o1', first.signal), reads.load('A', 'o2', second.signal)].map(outcome);
    await vi.advanceTimersByTimeAsync(5);
    const signal = load.calls[0]?.signal;
    expect(signal?.aborted).toBe(false);

    first.abort();
    expect(await results[0]).toMatchObject({ error: expect.any(RetryableError) });
    expect(signal?.aborted).toBe(false);

    second.abort();
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(RetryableError);
    expect(await results[1]).toMatchObject({ error: expect.any(RetryableError) });
  });

  it('a read without a signal keeps the sent batch alive when the others abort', async () => {
    const load = held();
    const reads = coalescer(load);
    const leaving = new AbortController();
    const aborted = outcome(reads.load('A', 'o1', leaving.signal));
    const staying = reads.load('A', 'o2');
    await vi.advanceTimersByTimeAsync(5);
    leaving.abort();
    expect(load.calls[0]?.signal.aborted).toBe(false);
    load.answer(new Map([['o2', 'two']]));
    expect(await staying).toBe('two');
    expect(await aborted).toMatchObject({ error: expect.any(RetryableError) });
  });

  it('an abort after the read was answered changes nothing', async () => {
    const load = echoing();
    const reads = coalescer(load);
    const late = new AbortController();
    const read = reads.load('A', 'o1', late.signal);
    await vi.advanceTimersByTimeAsync(5);
    expect(await read).toBe('A/o1');
    late.abort();
    expect(load.calls[0]?.signal.aborted).toBe(false);
  });
});

describe('ReadCoalescer options', () => {
  it.each([
    [{ windowMs: -1 }, 'fluent orders: windowMs must be a finite number ≥ 0, got -1'],
    [{ windowMs: Number.POSITIVE_INFINITY }, 'fluent orders: windowMs must be a finite number ≥ 0, got Infinity'],
    [{ maxBatchSize: 0 }, 'fluent orders: maxBatchSize must be an integer ≥ 1, got 0'],
    [{ maxBatchSize: 1.5 }, 'fluent orders: maxBatchSize must be an integer ≥ 1, got 1.5'],
  ])('rejects %o', (options, message) => {
    expect(() => coalescer(echoing(), options)).toThrow(new RangeError(message));
  });

  it('maxBatchSize 1 sends every distinct key on its own, at once', async () => {
    const load = echoing();
    const reads = coalescer(load, { maxBatchSize: 1 });
    const both = [reads.load('A', 'o1'), reads.load('A', 'o2')];
    expect(load.calls.map((call) => call.keys)).toEqual([['o1'], ['o2']]);
    expect(await Promise.all(both)).toEqual(['A/o1', 'A/o2']);
  });
});

describe('tenantKey', () => {
  it('joins parts so that no two different part lists give the same tenant', () => {
    expect(tenantKey('a:b', 'c')).not.toBe(tenantKey('a', 'b:c'));
    expect(tenantKey('a","b')).not.toBe(tenantKey('a', 'b'));
    expect(tenantKey('project', 'store', 'client')).toBe(tenantKey('project', 'store', 'client'));
  });
});
