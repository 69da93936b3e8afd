/**
 * Through the real broker: startProcessor + the order-status handler + both simulators. A stream of status updates
 * (with duplicates) ends with every commercetools order in the state Fluent reports, no regression in any order's
 * history and nothing dead-lettered — also across a commercetools 503 storm and a Fluent outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluentWebhookPayload } from '../../../schemas/index.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { eventually } from '../../support/kafka.js';
import { encodeAll, produce, testBed, testLogger, type TestBed } from '../support/processor.js';
import { handlerConfig, neverRegressed, orderWebhook } from '../support/order-status.js';

const FLOW = ['RECEIVED', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'] as const;
// COMPLETE maps order and shipment state; payment is mapped only up to BOOKED (→ Paid). When the processor lags
// behind Fluent, an intermediate status may never be seen (the handler applies what Fluent reports *now*), so the
// payment state is only deterministic when each step is awaited.
const FINAL = { orderState: 'Complete', shipmentState: 'Shipped' };

let fluent: FluentSim;
let ct: CommercetoolsSim;
let bed: TestBed;
let processor: RunningProcessor;
const events: RecordEvent[] = [];

beforeAll(async () => {
  [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools', faults: { latencyMs: 2 } }),
    startCommercetoolsSim({ faults: { latencyMs: 2 } }),
    testBed({ partitions: 3, retryDelays: '200ms,400ms,800ms' }),
  ]);
  const logger = testLogger();
  const router = new Router();
  const handler = createOrderStatusHandler({
    config: handlerConfig(fluent, ct, { settingsCacheTtlMs: 300, httpRetries: 1 }),
    logger,
  });
  for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
  processor = await startProcessor({
    config: bed.config({ PROCESSOR_CONCURRENCY: '32', OUTAGE_MIN_FAILURES: '5' }),
    router,
    logger,
  });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
});

afterAll(async () => {
  await processor?.stop();
  await Promise.all([fluent?.close(), ct?.close()]);
});

function createOrders(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const ref = `${prefix}_${Date.now().toString(36)}_${i}`;
    const order = fluent.store.upsertOrder({ ref, status: 'RECEIVED' });
    ct.store.createOrder({ orderNumber: ref });
    return { id: order.id, ref };
  });
}

/** Walks every order through FLOW: Fluent changes status, then sends the webhook (each one twice). */
async function streamFlow(orders: Array<{ id: string; ref: string }>, between?: (step: number) => Promise<void>) {
  for (const [step, status] of FLOW.entries()) {
    const payloads: FluentWebhookPayload[] = [];
    for (const order of orders) {
      fluent.store.setOrderStatus({ id: order.id }, status);
      const payload = orderWebhook(order, status, step % 2 ? { name: ORDER_STATUS_MESSAGE_NAMES[1] } : {});
      payloads.push(payload, payload);
    }
    await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));
    await between?.(step);
  }
}

async function expectAllFinal(orders: Array<{ ref: string }>, timeoutMs = 30_000) {
  const summary = () =>
    JSON.stringify({
      outcomes: events.reduce<Record<string, number>>(
        (acc, e) => ({ ...acc, [e.outcome]: (acc[e.outcome] ?? 0) + 1 }),
        {},
      ),
      orders: orders.map((o) => {
        const c = ct.store.getOrder({ orderNumber: o.ref });
        return `${c?.orderState}/${c?.paymentState}/${c?.shipmentState}`;
      }),
    });
  await eventually(
    () =>
      orders.every((o) => {
        const c = ct.store.getOrder({ orderNumber: o.ref });
        return c?.orderState === FINAL.orderState && c.shipmentState === FINAL.shipmentState;
      }),
    timeoutMs,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}: ${summary()}`);
  });
  for (const o of orders) {
    expect(neverRegressed(ct.store.history({ orderNumber: o.ref }))).toBe(true);
  }
}

const deadLettered = () => events.filter((e) => e.outcome === 'dead-lettered');

describe('order-status through Kafka with the simulators', () => {
  it('a stream of status updates with duplicates ends with every order correct and nothing dead-lettered', async () => {
    const orders = createOrders('K', 12);
    const refs = new Set(orders.map((o) => o.ref));
    const done = () =>
      events.filter((e) => e.key && refs.has(e.key) && ['applied', 'skipped'].includes(e.outcome)).length;
    // Each step is awaited, so every intermediate status is seen and the payment state is deterministic.
    await streamFlow(orders, (step) =>
      eventually(() => done() >= orders.length * 2 * (step + 1), 20_000).then(() => undefined),
    );
    await expectAllFinal(orders);
    for (const o of orders) expect(ct.store.getOrder({ orderNumber: o.ref })?.paymentState).toBe('Paid');
    // Duplicates were skipped, not written twice: at most one write per (order, step).
    expect(events.filter((e) => e.key && refs.has(e.key) && e.outcome === 'applied').length).toBeLessThanOrEqual(
      orders.length * FLOW.length,
    );
    expect(deadLettered()).toEqual([]);
  });

  it('a commercetools 503 storm mid-stream: every order ends correct, nothing dead-lettered', async () => {
    const orders = createOrders('S', 10);
    await streamFlow(orders, async (step) => {
      if (step === 1) ct.faults.outage(true, 'status', 'graphql');
      if (step === 3) {
        await new Promise((r) => setTimeout(r, 1_500));
        ct.faults.outage(false);
      }
    });
    await expectAllFinal(orders);
    expect(ct.faults.injected.outage).toBeGreaterThan(0);
    expect(deadLettered()).toEqual([]);
  });

  it('a Fluent outage mid-stream: every order ends correct, nothing dead-lettered', async () => {
    const orders = createOrders('F', 10);
    await streamFlow(orders, async (step) => {
      if (step === 0) fluent.faults.outage(true, 'reset', 'graphql');
      if (step === 2) {
        await new Promise((r) => setTimeout(r, 1_500));
        fluent.faults.outage(false);
      }
    });
    await expectAllFinal(orders);
    expect(fluent.faults.injected.outage).toBeGreaterThan(0);
    expect(deadLettered()).toEqual([]);
  });
});
