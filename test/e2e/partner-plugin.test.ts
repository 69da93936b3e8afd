/**
 * A partner extends the built-in order-status handler through PROCESSOR_PLUGINS (no fork): its actions go into the
 * same updateOrder as the status actions, through the real processor entry point.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderStatusEvent } from '../../sim/fluent/index.js';
import { eventually, infra, uniqueName } from '../support/kafka.js';
import { startPipeline, type Pipeline } from '../../sim/pipeline.js';

const plugin = fileURLToPath(new URL('./fixtures/cancelled-shipment-plugin.ts', import.meta.url));

describe('partner plugin extending the order-status handler', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    const topic = uniqueName('e2e.plugin');
    pipeline = await startPipeline({
      ...infra(),
      topic,
      groupId: uniqueName('e2e.plugin.group'),
      partitions: 2,
      retryDelays: '500ms',
      logDir: join(tmpdir(), topic),
      env: { PROCESSOR_PLUGINS: plugin },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('adds its action to the single update: a cancelled order also gets its shipment cancelled', async () => {
    const orders = [
      { id: '7001', ref: 'PLUGIN_7001', status: 'CANCELLED' },
      { id: '7002', ref: 'PLUGIN_7002', status: 'BOOKED' },
    ];
    for (const o of orders) {
      pipeline.fluent.store.upsertOrder({ id: o.id, ref: o.ref, status: o.status });
      pipeline.ct.store.createOrder({ orderNumber: o.ref });
      const sent = await pipeline.sender.send(
        buildOrderStatusEvent({ orderId: o.id, orderRef: o.ref, status: o.status }),
      );
      expect(sent.status).toBe(200);
    }
    await eventually(() => pipeline.ct.store.getOrder({ orderNumber: 'PLUGIN_7002' })?.orderState === 'Confirmed');
    await eventually(() => pipeline.ct.store.getOrder({ orderNumber: 'PLUGIN_7001' })?.orderState === 'Cancelled');

    expect(pipeline.ct.store.getOrder({ orderNumber: 'PLUGIN_7001' })).toMatchObject({
      orderState: 'Cancelled',
      shipmentState: 'Canceled',
    });
    // One write carried both the status action and the plugin's action.
    const updates = pipeline.ct.store.history({ orderNumber: 'PLUGIN_7001' }).filter((h) => h.source === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.actions).toEqual([
      { changeOrderState: { orderState: 'Cancelled' } },
      { changeShipmentState: { shipmentState: 'Canceled' } },
    ]);
    // The plugin leaves other orders to the mappings.
    expect(pipeline.ct.store.getOrder({ orderNumber: 'PLUGIN_7002' })).toMatchObject({
      orderState: 'Confirmed',
      paymentState: 'Paid',
      shipmentState: 'Pending',
    });
  });
});
