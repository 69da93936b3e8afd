/** The sweep against the Fluent simulator with an in-memory produce target: checkpoint, resume, filters, dry run. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFluentSim, type FluentSim } from '../../../../sim/fluent/index.js';
import { loadCheckpoint } from '../../../../cli/reconcile/checkpoint.js';
import { createFluentOrders } from '../../../../cli/reconcile/fluent.js';
import { newCheckpoint, planReconcile } from '../../../../cli/reconcile/plan.js';
import { runSweep, scanSweep, type ProduceTarget } from '../../../../cli/reconcile/run.js';

let sim: FluentSim;
const CONTEXT = { accountId: 'ACME', messageName: 'fc.connect.order.webhook.order-status-update' };

beforeAll(async () => {
  sim = await startFluentSim();
});
afterAll(() => sim.close());
beforeEach(() => sim.store.clear());

/** Records what a run produced; `failAt` makes that send (1-based) fail, as a broker that does not acknowledge. */
function memoryTarget(failAt?: number): ProduceTarget & { sent: Message[]; sends: number } {
  const target = {
    sent: [] as Message[],
    sends: 0,
    encode: (record: { id: string }) => Promise.resolve(Buffer.from(record.id)),
    send(messages: Message[]) {
      target.sends += 1;
      if (target.sends === failAt) return Promise.reject(new Error('not acknowledged'));
      target.sent.push(...messages);
      return Promise.resolve();
    },
  };
  return target;
}

function setup(request: { retailer?: string[] } = {}, types: string[] = []) {
  const stateDir = mkdtempSync(join(tmpdir(), 'fc-reconcile-'));
  const now = Date.now();
  const plan = planReconcile(
    { since: { text: '1h', ms: 3_600_000 }, ...request },
    {
      now,
      stateDir,
      topic: 'fluent.webhooks',
      types,
      messageName: CONTEXT.messageName,
    },
  );
  const options = {
    fluent: createFluentOrders({ baseUrl: sim.url, ...sim.credentials, timeoutMs: 2_000 }),
    pageSize: 4,
    now: Date.now,
  };
  return { plan, options, checkpoint: newCheckpoint(plan, now) };
}

function seed(count: number, retailerOf: (i: number) => string = () => '1') {
  for (let i = 0; i < count; i++) {
    sim.store.upsertOrder({
      id: String(500 + i),
      ref: `R_${i}`,
      status: i % 2 ? 'BOOKED' : 'COMPLETE',
      retailerId: retailerOf(i),
    });
  }
}

describe('reconcile sweep', () => {
  it('produces one event per order in the window, page by page, and saves the cursor after each page', async () => {
    seed(10);
    const { plan, options, checkpoint } = setup();
    const target = memoryTarget();
    const pagesSeen: number[] = [];
    const run = await runSweep(checkpoint, plan.checkpointPath, target, CONTEXT, {
      ...options,
      onPage: (p) => pagesSeen.push(p.pages),
    });
    expect(run).toMatchObject({ result: 'complete', pages: 3, seen: 10, produced: 10 });
    expect(target.sends).toBe(3);
    expect(target.sent.map((m) => String(m.key)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `R_${i}`).sort());
    expect(pagesSeen).toEqual([1, 2, 3]);
    const saved = await loadCheckpoint(plan.checkpointPath);
    expect(saved).toMatchObject({ status: 'complete', pages: 3, produced: 10, byStatus: { BOOKED: 5, COMPLETE: 5 } });
  });

  it('resumes after the last acknowledged page: a page whose send failed is sent again, none twice', async () => {
    seed(10);
    const { plan, options, checkpoint } = setup();
    const failing = memoryTarget(2);
    await expect(runSweep(checkpoint, plan.checkpointPath, failing, CONTEXT, options)).rejects.toThrow(
      /not acknowledged/,
    );
    const saved = await loadCheckpoint(plan.checkpointPath);
    expect(saved).toMatchObject({ status: 'in-progress', pages: 1, produced: 4 });
    const target = memoryTarget();
    const resumed = await runSweep(saved!, plan.checkpointPath, target, CONTEXT, options);
    expect(resumed).toMatchObject({ result: 'complete', pages: 2, produced: 6 });
    const all = [...failing.sent, ...target.sent].map((m) => String(m.key));
    expect(all).toHaveLength(10);
    expect(new Set(all).size).toBe(10);
  });

  it('stops between pages when interrupted, with every produced page saved', async () => {
    seed(10);
    const { plan, options, checkpoint } = setup();
    const controller = new AbortController();
    const target = memoryTarget();
    const run = await runSweep(checkpoint, plan.checkpointPath, target, CONTEXT, {
      ...options,
      signal: controller.signal,
      onPage: (p) => p.pages === 1 && controller.abort(),
    });
    expect(run).toMatchObject({ result: 'interrupted', pages: 1, produced: 4 });
    expect((await loadCheckpoint(plan.checkpointPath))?.after).toBeDefined();
  });

  it('keeps only the --retailer orders, and asks Fluent for the ORDER_TYPES', async () => {
    seed(6, (i) => String((i % 3) + 1));
    sim.store.upsertOrder({ id: '999', ref: 'POS_1', type: 'POS', retailerId: '1' });
    const { plan, options, checkpoint } = setup({ retailer: ['1', '3'] }, ['HD']);
    const target = memoryTarget();
    const run = await runSweep(checkpoint, plan.checkpointPath, target, CONTEXT, options);
    expect(target.sent.map((m) => String(m.key)).sort()).toEqual(['R_0', 'R_2', 'R_3', 'R_5']);
    expect(run.seen).toBe(4);
    expect((await loadCheckpoint(plan.checkpointPath))?.listed).toBe(6);
  });

  it('ends on an empty window after one page', async () => {
    const { plan, options, checkpoint } = setup();
    const run = await runSweep(checkpoint, plan.checkpointPath, memoryTarget(), CONTEXT, options);
    expect(run).toMatchObject({ result: 'complete', pages: 1, produced: 0 });
  });

  it('dry run: counts per status and the first orders, produces and saves nothing', async () => {
    seed(9);
    const { plan, options } = setup();
    const scan = await scanSweep(plan.window, plan, { ...options, sample: 3 });
    expect(scan).toMatchObject({ result: 'complete', pages: 3, seen: 9 });
    expect(Object.fromEntries(scan.byStatus)).toEqual({ COMPLETE: 5, BOOKED: 4 });
    expect(scan.samples.map((o) => o.ref)).toEqual(['R_8', 'R_7', 'R_6']);
    expect(await loadCheckpoint(plan.checkpointPath)).toBeUndefined();
  });
});
