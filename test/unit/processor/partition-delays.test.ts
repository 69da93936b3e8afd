/** Retry-tier partition delays under fake time: one timer per partition, the latest resume, capped timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PartitionDelays } from '../../../processor/partition-delays.js';

afterEach(() => {
  vi.useRealTimers();
});

function partition(): { pause: () => () => void; pauses: number; resumes: number } {
  const p = {
    pauses: 0,
    resumes: 0,
    pause: () => {
      p.pauses++;
      return () => void p.resumes++;
    },
  };
  return p;
}

describe('PartitionDelays', () => {
  it('reschedules to the earliest due time and resumes once, with the latest resume', async () => {
    vi.useFakeTimers();
    const counts: number[] = [];
    const delays = new PartitionDelays((n) => counts.push(n));
    const first = partition();
    const second = partition();
    delays.delay('t/0', Date.now() + 1_000, first.pause);
    delays.delay('t/0', Date.now() + 500, second.pause);
    expect([first.pauses, second.pauses]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(500);
    expect([first.resumes, second.resumes]).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(second.resumes).toBe(1);
    expect(counts).toEqual([1, 0]);
  });

  it('keeps a partition paused past a capped timer until it is due', async () => {
    vi.useFakeTimers();
    const delays = new PartitionDelays(() => undefined);
    const p = partition();
    const day = 86_400_000;
    delays.delay('t/0', Date.now() + 30 * day, p.pause);
    await vi.advanceTimersByTimeAsync(30 * day - 1);
    expect(p.resumes).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.resumes).toBe(1);
    expect(delays.size).toBe(0);
  });
});
