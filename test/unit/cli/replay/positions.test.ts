import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import { planReplay, type PlanContext } from '../../../../cli/replay/plan.js';
import {
  newCheckpoint,
  remainingRanges,
  restartCheckpoint,
  skipUnavailable,
} from '../../../../cli/replay/positions.js';

const context: PlanContext = { topics: topicNames('fluent.webhooks', 2), stateDir: '.fc-connector', cwd: '/work' };
const plan = planReplay({ id: 'r2', fromOffset: { all: 3n, byPartition: new Map() } }, context);
const MAY_1 = Date.UTC(2024, 4, 1);

describe('replay positions', () => {
  it('freezes each range at its end, saves the selection, and resumes from the saved position', () => {
    const checkpoint = newCheckpoint(
      plan,
      [
        { partition: 0, start: 3n, end: 10n },
        { partition: 1, start: 0n, end: 0n },
      ],
      MAY_1,
    );
    expect(checkpoint).toMatchObject({
      id: 'r2',
      sourceTopic: 'fluent.webhooks.dlq',
      status: 'in-progress',
      createdAt: '2024-05-01T00:00:00.000Z',
      selection: { fromOffset: '3' },
      partitions: { 0: { start: '3', end: '10', next: '3' }, 1: { start: '0', end: '0', next: '0' } },
    });
    const position = checkpoint.partitions['0'];
    if (position) position.next = '7';
    expect(remainingRanges(checkpoint)).toEqual([
      { partition: 0, start: 7n, end: 10n },
      { partition: 1, start: 0n, end: 0n },
    ]);
  });

  it('starts the frozen ranges over for --force, ends unchanged', () => {
    const done = { ...newCheckpoint(plan, [{ partition: 0, start: 3n, end: 10n }], MAY_1), replayed: 7 };
    done.status = 'complete';
    const position = done.partitions['0'];
    if (position) position.next = '10';
    const again = restartCheckpoint(done, MAY_1 + 1_000);
    expect(again).toMatchObject({
      status: 'in-progress',
      replayed: 0,
      createdAt: '2024-05-01T00:00:00.000Z',
      updatedAt: '2024-05-01T00:00:01.000Z',
      partitions: { 0: { start: '3', end: '10', next: '3' } },
    });
    expect(done.partitions['0']?.next).toBe('10');
  });

  it('moves past offsets retention deleted; a partition with nothing left is done', () => {
    const checkpoint = newCheckpoint(
      plan,
      [
        { partition: 0, start: 0n, end: 10n },
        { partition: 1, start: 0n, end: 10n },
        { partition: 2, start: 0n, end: 10n },
        { partition: 3, start: 4n, end: 8n },
      ],
      MAY_1,
    );
    const offsets = [
      { partition: 0, low: 6n, high: 20n }, // the first six were deleted
      { partition: 1, low: 12n, high: 12n }, // everything, and the partition is empty now
      { partition: 2, low: 0n, high: 30n }, // untouched
      // partition 3 is gone (topic recreated with fewer partitions)
    ];
    expect(skipUnavailable(checkpoint, offsets)).toEqual([
      { partition: 0, from: 0n, to: 6n },
      { partition: 1, from: 0n, to: 10n },
      { partition: 3, from: 4n, to: 8n },
    ]);
    expect(checkpoint.skipped).toBe(20);
    expect(remainingRanges(checkpoint, offsets)).toEqual([
      { partition: 0, start: 6n, end: 10n },
      { partition: 1, start: 10n, end: 10n },
      { partition: 2, start: 0n, end: 10n },
      { partition: 3, start: 8n, end: 8n },
    ]);
  });

  it('never reads past the current high watermark', () => {
    const checkpoint = newCheckpoint(plan, [{ partition: 0, start: 0n, end: 10n }], MAY_1);
    const offsets = [{ partition: 0, low: 0n, high: 7n }];
    expect(skipUnavailable(checkpoint, offsets)).toEqual([]);
    expect(remainingRanges(checkpoint, offsets)).toEqual([{ partition: 0, start: 0n, end: 7n }]);
    const position = checkpoint.partitions['0'];
    if (position) position.next = '7';
    expect(skipUnavailable(checkpoint, offsets)).toEqual([{ partition: 0, from: 7n, to: 10n }]);
  });
});
