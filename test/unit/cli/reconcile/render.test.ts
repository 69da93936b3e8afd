import { describe, expect, it } from 'vitest';
import { newCheckpoint, planReconcile } from '../../../../cli/reconcile/plan.js';
import { renderDryRun, renderStart, renderSummary } from '../../../../cli/reconcile/render.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const plan = planReconcile(
  { since: { text: '10m', ms: 600_000 }, retailer: ['1'] },
  { now: NOW, stateDir: '/s', topic: 'fluent.webhooks', types: ['HD'], messageName: 'm' },
);

describe('reconcile output', () => {
  it('prints one greppable summary line per run', () => {
    const checkpoint = { ...newCheckpoint(plan, NOW), pages: 3, produced: 120 };
    const line = renderSummary(plan, checkpoint, {
      result: 'complete',
      pages: 3,
      seen: 120,
      produced: 120,
      seconds: 2,
    });
    expect(line).toBe(
      `reconcile summary: id=${plan.id} window=2024-05-01T11:50:00.000Z/2024-05-01T12:00:00.000Z ` +
        'seen=120 produced=120 pages=3 seconds=2.0 rate=60/s result=complete',
    );
    const resumed = renderSummary(
      plan,
      { ...checkpoint, pages: 5, produced: 200 },
      {
        result: 'complete',
        pages: 3,
        seen: 120,
        produced: 120,
        seconds: 2,
      },
    );
    expect(resumed).toMatch(/ total_produced=200 total_pages=5$/);
  });

  it('says which window, filters and checkpoint a run uses', () => {
    expect(renderStart(plan, 'fresh', newCheckpoint(plan, NOW))).toBe(
      `Reconciliation ${plan.id}: orders updated in Fluent from 2024-05-01T11:50:00.000Z to 2024-05-01T12:00:00.000Z, ` +
        `types HD (ORDER_TYPES), retailer 1 → fluent.webhooks; checkpoint /s/reconcile-${plan.id}.json`,
    );
  });

  it('dry run: the first orders and the counts per Fluent status, most frequent first', () => {
    const text = renderDryRun(plan, {
      result: 'complete',
      pages: 2,
      seen: 3,
      byStatus: new Map([
        ['BOOKED', 1],
        ['COMPLETE', 2],
      ]),
      samples: [{ id: '1', ref: 'O_1', type: 'HD', status: 'BOOKED', retailerId: '1', updatedOn: 't' }],
      seconds: 0.5,
    });
    expect(text).toContain('dry run: nothing is produced');
    expect(text).toMatch(/order ref\s+id\s+type\s+status\s+retailer\s+updatedOn\nO_1\s+1\s+HD\s+BOOKED\s+1\s+t/);
    expect(text).toContain(
      'Would produce 3 event(s) to fluent.webhooks (COMPLETE=2 BOOKED=1); 2 Fluent page(s) read in 0.5 s.',
    );
  });
});
