import { describe, expect, it } from 'vitest';
import { renderOffsetPlan, renderOutcome, targetText } from '../../../../cli/offsets/render.js';
import type { PlanRow } from '../../../../cli/offsets/plan.js';

const plan: PlanRow[] = [
  { topic: 't', partition: 0, current: '5', target: '9', lagBefore: '4', lagAfter: '0' },
  { topic: 't', partition: 1, current: '9', target: '2', lagBefore: '0', lagAfter: '7' },
  { topic: 't', partition: 2, current: null, target: '0', lagBefore: '3', lagAfter: '3' },
];

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

  it('shows partition, current, new offset, the change and the lag before → after, then the total', () => {
    expect(renderOffsetPlan('g', 'Empty', 'latest', plan).split('\n')).toEqual([
      'consumer group g (state Empty); target: latest',
      'topic  partition  current  new  change  lag',
      't      0          5        9    +4      4 → 0',
      't      1          9        2    -7      0 → 7',
      't      2          -        0    set     3 → 3',
      'total lag: 7 → 10 (+3)',
    ]);
  });

  it('says a dry run changed nothing and how to execute it', () => {
    expect(renderOutcome('g', plan, false)).toBe(
      'Dry run: no offsets changed. Run the same command with --execute to commit this plan.',
    );
    expect(renderOutcome('g', plan, true)).toBe('Offsets of g reset on 1 topic(s), 3 partition(s).');
  });
});
