import { describe, expect, it } from 'vitest';
import { renderOffsetPlan, targetText } from '../../../cli/commands/offsets.js';

describe('offsets reset rendering', () => {
  it('names the target as typed, with the resolved time when it differs', () => {
    expect(targetText({ toDatetime: { text: '2024-05-01T10:00:00.000Z', ms: Date.UTC(2024, 4, 1, 10) } })).toBe(
      '2024-05-01T10:00:00.000Z',
    );
    expect(targetText({ toDatetime: { text: '2024-05-01', ms: Date.UTC(2024, 4, 1) } })).toBe(
      '2024-05-01 (2024-05-01T00:00:00.000Z)',
    );
    expect(targetText({ toEarliest: true })).toBe('earliest');
    expect(targetText({})).toBe('latest');
  });

  it('shows current, target and the change per partition', () => {
    const text = renderOffsetPlan('g', 'Empty', 'latest', [
      { topic: 't', partition: 0, current: '5', target: '9' },
      { topic: 't', partition: 1, current: '9', target: '2' },
      { topic: 't', partition: 2, current: null, target: '0' },
    ]);
    expect(text.split('\n')).toEqual([
      'consumer group g (state Empty); target: latest',
      'topic  partition  current  target  change',
      't      0          5        9       +4',
      't      1          9        2       -7',
      't      2          -        0       set',
    ]);
  });
});
