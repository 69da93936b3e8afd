/**
 * Why `fc-connector reconcile` exists: while the ingress is down, 100 orders change status in Fluent and their
 * webhooks fail every Fluent retry, so nothing is ever accepted. Once the ingress is back, `reconcile --since 10m`
 * makes every order converge to the state the order-status rule gives; orders that did not change cost no
 * commercetools write, and a second run writes nothing. Real broker, registry, ingress and processor (child
 * processes); Fluent and commercetools simulated.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyWebhook, type States } from '../../../sim/scenario.js';
import { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import { startPipeline, type Pipeline } from '../../../sim/pipeline.js';
import { eventually, infra, testKafka, uniqueName } from '../../support/kafka.js';
import { cli, header, readTopic, tempDir } from '../support/cli.js';

const CHANGED = 100;
const UNCHANGED = 20;
/** Where the changed orders end up in Fluent during the outage (Fluent's current status when reconcile runs). */
const NEW_STATUSES = ['COMPLETE', 'CANCELLED', 'AWAITING_COURIER_COLLECTION', 'PICK_PACK'];
/** commercetools as the BOOKED webhook left it (example mappings: docs/architecture.md, "Fluent"). */
const BOOKED_STATES: States = { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' };

const ref = (i: number) => `REC_${i}`;

describe('reconcile after an ingress outage', () => {
  let pipeline: Pipeline;
  let groupId: string;

  beforeAll(async () => {
    const topic = uniqueName('cli.reconcile.webhooks');
    groupId = uniqueName('cli.reconcile.group');
    pipeline = await startPipeline({
      ...infra(),
      topic,
      groupId,
      partitions: 3,
      retryDelays: '300ms',
      logDir: join(tmpdir(), topic),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  /** Every record of the main topic handled and committed by the processor's group. */
  async function drained(): Promise<boolean> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(pipeline.topics.webhooks),
        admin.fetchOffsets({ groupId, topics: [pipeline.topics.webhooks] }),
      ]);
      const at = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
      return ends.every((e) => e.high === '0' || at.get(e.partition) === e.high);
    } finally {
      await admin.disconnect();
    }
  }

  const states = (i: number): States => {
    const order = pipeline.ct.store.getOrder({ orderNumber: ref(i) });
    return {
      orderState: order?.orderState ?? null,
      paymentState: order?.paymentState ?? null,
      shipmentState: order?.shipmentState ?? null,
    };
  };

  it('brings every order to the rule’s state, writes nothing for unchanged orders, and nothing on a second run', async () => {
    const { fluent, ct } = pipeline;
    // Before the outage: every order BOOKED in Fluent, and commercetools shows what the BOOKED webhook wrote.
    for (let i = 0; i < CHANGED + UNCHANGED; i++) {
      fluent.store.upsertOrder({ id: String(70_000 + i), ref: ref(i), status: 'BOOKED', type: 'HD', retailerId: '1' });
      ct.store.createOrder({ orderNumber: ref(i), ...BOOKED_STATES } as Parameters<typeof ct.store.createOrder>[0]);
    }
    const versionsBefore = Array.from(
      { length: CHANGED + UNCHANGED },
      (_, i) => ct.store.getOrder({ orderNumber: ref(i) })?.version,
    );

    // The outage: the ingress is down while 100 orders move on; Fluent's retries all fail.
    await pipeline.stopIngress();
    const sends = [];
    for (let i = 0; i < CHANGED; i++) {
      const status = NEW_STATUSES[i % NEW_STATUSES.length] as string;
      fluent.store.setOrderStatus({ ref: ref(i) }, status);
      sends.push(
        pipeline.sender.send(buildOrderStatusEvent({ orderId: String(70_000 + i), orderRef: ref(i), status })),
      );
    }
    const results = await Promise.all(sends);
    expect(results.filter((r) => r.delivered)).toHaveLength(0);
    await pipeline.startIngress();
    expect(ct.stats.updates).toBe(0);

    const env = { ...pipeline.env };
    const cwd = tempDir();
    const dry = await cli(['reconcile', '--since', '10m', '--dry-run'], { env, cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Would produce ${CHANGED + UNCHANGED} event(s)`);
    expect(dry.stdout).toMatch(/BOOKED=20/);

    const first = await cli(['reconcile', '--since', '10m', '--page-size', '50'], { env, cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/reconcile summary: .* seen=120 produced=120 pages=3 .*result=complete/);

    // Every changed order converges to what the rule gives for Fluent's status now.
    const expected = (i: number): States =>
      i < CHANGED
        ? applyWebhook(
            BOOKED_STATES,
            NEW_STATUSES[i % NEW_STATUSES.length] as string,
            NEW_STATUSES[i % NEW_STATUSES.length] as string,
          )
        : BOOKED_STATES;
    await eventually(
      () =>
        Array.from({ length: CHANGED }, (_, i) => i).every(
          (i) => JSON.stringify(states(i)) === JSON.stringify(expected(i)),
        ),
      60_000,
      200,
    );
    await eventually(drained, 30_000, 200);
    for (let i = 0; i < CHANGED + UNCHANGED; i++) expect(states(i), ref(i)).toEqual(expected(i));
    // Unchanged orders: no write at all (their version is the one they started with).
    for (let i = CHANGED; i < CHANGED + UNCHANGED; i++) {
      expect(ct.store.getOrder({ orderNumber: ref(i) })?.version, ref(i)).toBe(versionsBefore[i]);
    }
    const writesAfterFirst = ct.stats.updatesApplied;
    // One write per order whose states differ (PICK_PACK shows as BOOKED does: Confirmed / Paid / Pending, no write).
    const differing = Array.from({ length: CHANGED }, (_, i) => expected(i)).filter(
      (e) => JSON.stringify(e) !== JSON.stringify(BOOKED_STATES),
    ).length;
    expect(differing).toBe(75);
    expect(writesAfterFirst).toBe(differing);

    // The records: keyed by order ref, marked as reconciliation, through the webhook schema (the processor decoded them).
    const records = await readTopic(pipeline.topics.webhooks, CHANGED + UNCHANGED);
    expect(new Set(records.map((r) => String(r.key)))).toEqual(new Set(Array.from({ length: 120 }, (_, i) => ref(i))));
    expect(records.every((r) => header(r, 'fc-source') === 'reconcile')).toBe(true);

    // A second run sweeps a new window, produces again, and changes nothing.
    const second = await cli(['reconcile', '--since', '10m', '--page-size', '50'], { env, cwd });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/reconcile summary: .* seen=120 produced=120 .*result=complete/);
    await eventually(drained, 30_000, 200);
    expect(ct.stats.updatesApplied).toBe(writesAfterFirst);
    for (let i = 0; i < CHANGED + UNCHANGED; i++) expect(states(i), ref(i)).toEqual(expected(i));
  });
});
