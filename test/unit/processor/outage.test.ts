import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutageGate } from '../../../processor/outage.js';

afterEach(() => {
  vi.useRealTimers();
});

const options = { initialBackoffMs: 100, maxBackoffMs: 400, windowMs: 1_000, minFailures: 5, failureRatio: 0.8 };

describe('OutageGate', () => {
  it('pauses with doubling backoff, lets one probe through after each pause, and resets on success', async () => {
    vi.useFakeTimers();
    const changes: [boolean, number][] = [];
    const gate = new OutageGate({ ...options, onChange: (p, ms) => changes.push([p, ms]) });
    expect(gate.isOpen).toBe(true);
    expect(gate.trip('x')).toBe(100);
    expect(gate.trip('x')).toBe(0); // already paused: no escalation by concurrent failures
    let passed = 0;
    const waiters = [gate.wait(), gate.wait(), gate.wait()].map((p) => p.then(() => passed++));
    await vi.advanceTimersByTimeAsync(99);
    expect(passed).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(passed).toBe(1); // half-open: a single probe
    expect(gate.trip('x')).toBe(200); // probe failed: longer pause
    await vi.advanceTimersByTimeAsync(200);
    expect(passed).toBe(2);
    gate.recordSuccess(); // probe succeeded: everyone goes
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(waiters);
    expect(passed).toBe(3);
    expect(gate.isOpen).toBe(true);
    expect(gate.trip('x')).toBe(100); // backoff reset
    expect(changes[0]).toEqual([true, 100]);
    gate.open();
  });

  it('caps the pause', () => {
    vi.useFakeTimers();
    const gate = new OutageGate(options);
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      pauses.push(gate.trip('x'));
      vi.advanceTimersByTime(1_000);
    }
    expect(pauses).toEqual([100, 200, 400, 400, 400]);
    gate.open();
  });

  it('trips the failure-rate breaker only with enough failures at a high ratio within the window', () => {
    let now = 1_000_000;
    const gate = new OutageGate({ ...options, now: () => now });
    for (let i = 0; i < 4; i++) expect(gate.recordRetryableFailure()).toBe(false);
    expect(gate.recordRetryableFailure()).toBe(true); // 5 of 5
    now += 2_000; // window passed
    for (let i = 0; i < 10; i++) gate.recordSuccess();
    for (let i = 0; i < 6; i++) expect(gate.recordRetryableFailure()).toBe(false); // 6 of 16 < 80 %
  });

  it('releases waiters when their signal aborts', async () => {
    vi.useFakeTimers();
    const gate = new OutageGate(options);
    gate.trip('x');
    const ac = new AbortController();
    const waiting = gate.wait(ac.signal);
    ac.abort();
    await expect(waiting).resolves.toBe(false); // released, but not as the probe
    gate.open();
  });
});

describe('OutageGate with a pause beyond the longest Node timer', () => {
  it('does not end the pause early (Node would run a timer over 2^31-1 ms after 1 ms)', async () => {
    vi.useFakeTimers();
    const day = 86_400_000;
    const gate = new OutageGate({ ...options, initialBackoffMs: 30 * day, maxBackoffMs: 30 * day });
    expect(gate.trip('x')).toBe(30 * day);
    let probed = false;
    void gate.wait().then(() => (probed = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(probed).toBe(false);
    await vi.advanceTimersByTimeAsync(30 * day - 20);
    expect(probed).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(probed).toBe(true);
    gate.open();
  });
});
