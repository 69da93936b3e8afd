import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../../../common/index.js';
import {
  newCheckpoint,
  planReconcile,
  reconcileWithCheckpoint,
  type ReconcileRequest,
} from '../../../../cli/reconcile/plan.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const context = { now: NOW, stateDir: '/state', topic: 'fluent.webhooks', types: ['hd'], messageName: 'm' };
const plan = (request: ReconcileRequest, overrides: Partial<typeof context> = {}) =>
  planReconcile(request, { ...context, ...overrides });

describe('reconcile plan', () => {
  it('resolves --since to the last <duration> up to now, both bounds inclusive', () => {
    const p = plan({ since: { text: '10m', ms: 600_000 } });
    expect(p.window).toEqual({ from: '2024-05-01T11:50:00.000Z', to: '2024-05-01T12:00:00.000Z' });
    expect(p.types).toEqual(['HD']);
    expect(p.checkpointPath).toBe(`/state/reconcile-${p.id}.json`);
  });

  it('takes --from and --to as given, and --from alone up to now', () => {
    const from = { text: '2024-05-01T09:00:00Z', ms: Date.parse('2024-05-01T09:00:00Z') };
    const to = { text: '2024-05-01T10:00:00Z', ms: Date.parse('2024-05-01T10:00:00Z') };
    expect(plan({ from, to }).window).toEqual({ from: '2024-05-01T09:00:00.000Z', to: '2024-05-01T10:00:00.000Z' });
    expect(plan({ from }).window.to).toBe('2024-05-01T12:00:00.000Z');
  });

  it('refuses windows that do not make sense, as usage errors', () => {
    const from = { text: 'a', ms: NOW - 1_000 };
    const usage = (request: ReconcileRequest) => {
      try {
        plan(request);
      } catch (error) {
        return `${errorCodeOf(error)}: ${(error as Error).message}`;
      }
      return 'accepted';
    };
    expect(usage({})).toMatch(/^USAGE: give the window/);
    expect(usage({ since: { text: '1h', ms: 3_600_000 }, from })).toMatch(/^USAGE: give either --since or --from/);
    expect(usage({ to: from })).toMatch(/^USAGE: --to needs --from/);
    expect(usage({ from, to: { text: 'b', ms: NOW - 2_000 } })).toMatch(/^USAGE: --to b is before --from a/);
    expect(usage({ from: { text: 'c', ms: NOW + 1 } })).toMatch(/^USAGE: --from c is in the future/);
  });

  it('names a selection by the flags as typed, so the same command finds its checkpoint on every run', () => {
    const a = plan({ since: { text: '6h', ms: 21_600_000 }, retailer: ['2', '1'] });
    const later = plan({ since: { text: '6h', ms: 21_600_000 }, retailer: ['1', '2'] }, { now: NOW + 3_600_000 });
    expect(later.id).toBe(a.id);
    expect(later.window).not.toEqual(a.window);
    expect(plan({ since: { text: '6h', ms: 21_600_000 } }).id).not.toBe(a.id);
    expect(plan({ since: { text: '6h', ms: 21_600_000 } }, { topic: 'other' }).id).not.toBe(
      plan({ since: { text: '6h', ms: 21_600_000 } }).id,
    );
    expect(plan({ since: { text: '6h', ms: 1 }, id: 'nightly' }).id).toBe('nightly');
    expect(a.resumeCommand).toBe(`fc-connector reconcile --id ${a.id} --since 6h --retailer 1,2`);
  });

  it('continues an unfinished sweep in its frozen window; a finished one gives way to a new window', () => {
    const p = plan({ since: { text: '10m', ms: 600_000 } });
    const unfinished = { ...newCheckpoint(p, NOW - 60_000), after: 'cursor', window: { from: 'x', to: 'y' } };
    expect(reconcileWithCheckpoint(p, unfinished, { now: NOW })).toMatchObject({
      kind: 'resume',
      checkpoint: { after: 'cursor', window: { from: 'x', to: 'y' } },
    });
    const done = { ...unfinished, status: 'complete' as const };
    const fresh = reconcileWithCheckpoint(p, done, { now: NOW });
    expect(fresh.kind).toBe('fresh');
    expect(fresh.checkpoint).toMatchObject({ window: p.window, pages: 0, produced: 0, status: 'in-progress' });
    expect(fresh.checkpoint.after).toBeUndefined();
    expect(reconcileWithCheckpoint(p, unfinished, { now: NOW, restart: true }).kind).toBe('fresh');
  });

  it('refuses to continue another selection saved under the same --id', () => {
    const mine = plan({ since: { text: '10m', ms: 600_000 }, id: 'shared' });
    const theirs = plan({ since: { text: '2h', ms: 7_200_000 }, id: 'shared' });
    expect(() => reconcileWithCheckpoint(mine, newCheckpoint(theirs, NOW), { now: NOW })).toThrow(
      /in progress with another selection/,
    );
  });
});
