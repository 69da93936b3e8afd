import { describe, expect, it } from 'vitest';
import { createRandom, FaultController } from '../../../sim/common/faults.js';

const make = (seed = 1) => new FaultController(['token', 'graphql'] as const, {}, createRandom(seed));

describe('simulator fault policy', () => {
  it('passes everything by default', () => {
    const f = make();
    for (let i = 0; i < 50; i++) expect(f.decide('graphql')).toEqual({ kind: 'pass', delayMs: 0 });
  });

  it('applies settings per endpoint, or to all endpoints', () => {
    const f = make().set({ errorRate: 1, errorStatuses: [502] }, 'graphql');
    expect(f.decide('graphql')).toMatchObject({ kind: 'status', status: 502, reason: 'error' });
    expect(f.decide('token').kind).toBe('pass');
    f.set({ latencyMs: 25, jitterMs: 10 });
    const d = f.decide('token');
    expect(d.delayMs).toBeGreaterThanOrEqual(25);
    expect(d.delayMs).toBeLessThan(35);
  });

  it('consumes failNext before rates and in order', () => {
    const f = make().failNext(2, 401, 'graphql').failNext(1, 500, 'graphql');
    expect([1, 2, 3, 4].map(() => f.decide('graphql'))).toMatchObject([
      { status: 401, reason: 'forced' },
      { status: 401 },
      { status: 500 },
      { kind: 'pass' },
    ]);
    expect(f.injected.forced).toBe(3);
  });

  it('gives outage precedence, in status or reset mode', () => {
    const f = make().failNext(1, 401).outage(true);
    expect(f.decide('token')).toMatchObject({ kind: 'status', status: 503, reason: 'outage' });
    f.outage(true, 'reset');
    expect(f.decide('graphql').kind).toBe('reset');
    f.outage(false);
    expect(f.decide('graphql')).toMatchObject({ status: 401 });
  });

  it('hits configured rates roughly, reproducibly with a seed', () => {
    const run = () => {
      const f = make(42).set({ rateLimitRate: 0.2, retryAfterSeconds: 2 });
      return Array.from({ length: 1000 }, () => f.decide('graphql'));
    };
    const a = run();
    const limited = a.filter((d) => d.kind === 'status' && d.status === 429);
    expect(limited.length).toBeGreaterThan(150);
    expect(limited.length).toBeLessThan(250);
    expect(limited[0]).toMatchObject({ retryAfterSeconds: 2 });
    expect(run()).toEqual(a);
  });

  it('holds requests for timeoutMs', () => {
    expect(make().set({ timeoutRate: 1, timeoutMs: 1234 }).decide('graphql')).toEqual({
      kind: 'hold',
      delayMs: 0,
      holdMs: 1234,
    });
  });

  it('hands out forced conflicts before rate-based ones; reset clears them', () => {
    const f = make().conflictNext(2);
    expect([f.takeConflict('graphql'), f.takeConflict('graphql'), f.takeConflict('graphql')]).toEqual([
      true,
      true,
      false,
    ]);
    f.conflictNext(1).reset();
    expect(f.takeConflict('graphql')).toBe(false);
    f.set({ conflictRate: 1 });
    expect(f.takeConflict('graphql')).toBe(true);
    expect(f.injected.conflict).toBe(3);
  });

  it('rejects unknown endpoints with a clear error', () => {
    expect(() => make().decide('nope' as 'token')).toThrow(/unknown simulator endpoint 'nope'/);
  });
});
