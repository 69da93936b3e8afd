import { describe, expect, it } from 'vitest';
import { planTopic, targetOffset } from '../../../../cli/offsets/plan.js';

const bounds = [
  { partition: 0, low: 2n, high: 10n },
  { partition: 1, low: 0n, high: 7n },
  { partition: 2, low: 4n, high: 4n },
];

describe('offsets reset plan', () => {
  it('picks the earliest, the latest or the first offset at a time (the end when none)', () => {
    expect(targetOffset(bounds[0]!, { earliest: true })).toBe(2n);
    expect(targetOffset(bounds[0]!, {})).toBe(10n);
    const byTime = new Map([[0, 6n]]);
    expect(targetOffset(bounds[0]!, { byTime })).toBe(6n);
    expect(targetOffset(bounds[1]!, { byTime })).toBe(7n);
  });

  it('computes the lag before and after; a partition never committed counts from its first offset', () => {
    const committed = new Map([
      [0, '9'],
      [1, '-1'],
    ]);
    expect(planTopic('t', bounds, committed, { earliest: true })).toEqual([
      { topic: 't', partition: 0, current: '9', target: '2', lagBefore: '1', lagAfter: '8' },
      { topic: 't', partition: 1, current: null, target: '0', lagBefore: '7', lagAfter: '7' },
      { topic: 't', partition: 2, current: null, target: '4', lagBefore: '0', lagAfter: '0' },
    ]);
  });

  it('never reports negative lag for a committed offset past the end', () => {
    const [row] = planTopic('t', [bounds[2]!], new Map([[2, '9']]), {});
    expect(row).toMatchObject({ current: '9', target: '4', lagBefore: '0', lagAfter: '0' });
  });
});
