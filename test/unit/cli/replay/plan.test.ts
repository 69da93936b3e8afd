import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import type { ReplayCheckpoint } from '../../../../cli/replay/checkpoint.js';
import {
  newCheckpoint,
  planReplay,
  reconcile,
  remainingRanges,
  type PlanContext,
} from '../../../../cli/replay/plan.js';

const context: PlanContext = { topics: topicNames('fluent.webhooks', 2), stateDir: '.fc-connector', cwd: '/work' };

describe('replay plan', () => {
  it('defaults to DLQ → main topic and names the replay after the selection as typed', () => {
    const plan = planReplay({ errorClass: ['B', 'A', 'A'], since: { text: 'now-2h', ms: 1 } }, context);
    expect(plan).toMatchObject({ source: 'fluent.webhooks.dlq', target: 'fluent.webhooks' });
    expect(plan.id).toMatch(/^fluent\.webhooks\.dlq-[0-9a-f]{12}$/);
    expect(JSON.parse(plan.selectionKey)).toMatchObject({ errorClasses: ['A', 'B'], since: 'now-2h', keys: null });
    // `now-2h` resolves to another instant on every run, but names the same replay.
    expect(planReplay({ errorClass: ['A', 'B'], since: { text: 'now-2h', ms: 999 } }, context).id).toBe(plan.id);
    expect(planReplay({ errorClass: ['A'] }, context).id).not.toBe(plan.id);
    expect(plan.filter).toEqual({
      names: undefined,
      keys: undefined,
      errorClasses: ['B', 'A', 'A'],
      since: 1,
      until: undefined,
    });
  });

  it('keeps offset bounds in the selection key, canonically', () => {
    const plan = planReplay(
      {
        fromTopic: 'src',
        fromOffset: {
          all: 5n,
          byPartition: new Map([
            [2, 40n],
            [0, 100n],
          ]),
        },
      },
      context,
    );
    expect(JSON.parse(plan.selectionKey)).toMatchObject({ source: 'src', fromOffset: '5,0:100,2:40', toOffset: null });
    expect(plan.ranges.fromOffset?.all).toBe(5n);
  });

  it('puts the checkpoint in the state dir and names it in the resume command only when chosen', () => {
    const byDefault = planReplay({ id: 'fix-1', stateDir: '.fc-connector' }, { ...context, stateDir: '/var/fc' });
    expect(byDefault.checkpointPath).toBe('/var/fc/replay-fix-1.json');
    expect(byDefault.resumeCommand).toBe('fc-connector replay --id fix-1');
    const chosen = planReplay({ id: 'fix-1', stateDir: 'state' }, context);
    expect(chosen.checkpointPath).toBe('/work/state/replay-fix-1.json');
    expect(chosen.resumeCommand).toBe('fc-connector replay --id fix-1 --state-dir state');
  });
});

describe('reconciling a plan with its checkpoint', () => {
  const plan = planReplay({ id: 'r1', errorClass: ['CONFIGURATION'] }, context);
  const saved = (overrides: Partial<ReplayCheckpoint> = {}): ReplayCheckpoint => ({
    ...newCheckpoint(plan, [{ partition: 0, start: 0n, end: 10n }], Date.UTC(2024, 4, 1)),
    ...overrides,
  });

  it('starts afresh without a checkpoint, and resumes one of the same selection', () => {
    expect(reconcile(plan, undefined, {})).toEqual({ plan, checkpoint: undefined, completed: false });
    const checkpoint = saved();
    expect(reconcile(plan, checkpoint, { id: 'r1', errorClass: ['CONFIGURATION'] })).toEqual({
      plan,
      checkpoint,
      completed: false,
    });
  });

  it('resumes `--id` alone exactly as started', () => {
    const checkpoint = saved({
      sourceTopic: 'other',
      targetTopic: 'there',
      selectionKey: '{"k":1}',
      filter: { keys: ['O_1'] },
    });
    const { plan: effective } = reconcile(planReplay({ id: 'r1' }, context), checkpoint, { id: 'r1' });
    expect(effective).toMatchObject({
      source: 'other',
      target: 'there',
      selectionKey: '{"k":1}',
      filter: { keys: ['O_1'] },
    });
  });

  it('refuses another selection under the same id unless --force, which starts over', () => {
    const other = planReplay({ id: 'r1', errorClass: ['NO_ROUTE'] }, context);
    const request = { id: 'r1', errorClass: ['NO_ROUTE'] };
    expect(() => reconcile(other, saved(), request)).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: expect.stringContaining('was started with a different selection'),
      }),
    );
    expect(reconcile(other, saved({ status: 'complete' }), { ...request, force: true })).toEqual({
      plan: other,
      checkpoint: undefined,
      completed: false,
    });
  });

  it('reports a finished replay as complete', () => {
    expect(reconcile(plan, saved({ status: 'complete' }), {}).completed).toBe(true);
  });
});

describe('checkpoint ranges', () => {
  it('freezes each range at its end and resumes from the saved position', () => {
    const plan = planReplay({ id: 'r2' }, context);
    const checkpoint = newCheckpoint(
      plan,
      [
        { partition: 0, start: 3n, end: 10n },
        { partition: 1, start: 0n, end: 0n },
      ],
      Date.UTC(2024, 4, 1),
    );
    expect(checkpoint).toMatchObject({
      id: 'r2',
      sourceTopic: 'fluent.webhooks.dlq',
      status: 'in-progress',
      createdAt: '2024-05-01T00:00:00.000Z',
      partitions: { 0: { start: '3', end: '10', next: '3' }, 1: { start: '0', end: '0', next: '0' } },
    });
    const position = checkpoint.partitions['0'];
    if (position) position.next = '7';
    expect(remainingRanges(checkpoint)).toEqual([
      { partition: 0, start: 7n, end: 10n },
      { partition: 1, start: 0n, end: 0n },
    ]);
  });
});
