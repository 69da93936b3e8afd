import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import type { ReplayCheckpoint } from '../../../../cli/replay/checkpoint.js';
import { planReplay, reconcile, type PlanContext } from '../../../../cli/replay/plan.js';
import { newCheckpoint } from '../../../../cli/replay/positions.js';

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
    expect(reconcile(plan, undefined, {})).toEqual({ kind: 'fresh', plan });
    const checkpoint = saved();
    expect(reconcile(plan, checkpoint, { id: 'r1', errorClass: ['CONFIGURATION'] })).toEqual({
      kind: 'resume',
      plan,
      checkpoint,
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

  it('follows the saved selection when the same one is typed again (`now-2h` keeps its first instant)', () => {
    const typed = { since: { text: 'now-2h', ms: 1_000 } };
    const first = planReplay(typed, context);
    const checkpoint = newCheckpoint(first, [{ partition: 0, start: 4n, end: 9n }], 2_000);
    const later = planReplay({ since: { text: 'now-2h', ms: 5_000 } }, context);
    const resumed = reconcile(later, checkpoint, { since: { text: 'now-2h', ms: 5_000 } });
    expect(resumed).toMatchObject({ kind: 'resume', checkpoint });
    expect(resumed.plan.filter.since).toBe(1_000);
    expect(resumed.plan.selection.since).toEqual({ text: 'now-2h', at: '1970-01-01T00:00:01.000Z' });
  });

  it('--force on the same selection replays the saved one again, even from `--id` alone', () => {
    const typed = {
      id: 'r3',
      fromTopic: 'fluent.webhooks',
      fromOffset: { byPartition: new Map([[0, 1n]]) },
      toOffset: { byPartition: new Map([[0, 3n]]) },
      since: { text: '2024-05-01', ms: Date.UTC(2024, 4, 1) },
    };
    const offsets = planReplay(typed, context);
    const checkpoint = newCheckpoint(offsets, [{ partition: 0, start: 1n, end: 4n }], Date.UTC(2024, 4, 2));
    checkpoint.status = 'complete';
    const again = reconcile(planReplay({ id: 'r3', force: true }, context), checkpoint, { id: 'r3', force: true });
    expect(again).toMatchObject({ kind: 'again', checkpoint });
    expect(again.plan).toMatchObject({
      source: 'fluent.webhooks',
      target: 'fluent.webhooks',
      selectionKey: offsets.selectionKey,
      filter: { since: Date.UTC(2024, 4, 1) },
      selection: { fromOffset: '0:1', toOffset: '0:3', since: { text: '2024-05-01' } },
    });
    expect(reconcile(offsets, checkpoint, { ...typed, force: true })).toMatchObject({ kind: 'again', checkpoint });
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
      kind: 'fresh',
      plan: other,
    });
  });

  it('reports a finished replay as complete', () => {
    expect(reconcile(plan, saved({ status: 'complete' }), {}).kind).toBe('complete');
  });
});
