/**
 * Settings as real installations spell them: Fluent's seed documentation has the order mapping under
 * `fc.connect.commercetools.…` and the payment and shipping mappings under `fc.connect.commerce-tools.…`. With either
 * CONNECTOR_NAME all three dimensions update, and the operator sees which setting is in force (log and gauge).
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageHandler } from '../../../processor/handler.js';
import { createOrderStatusHandler } from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { DOCUMENTED_SPELLING, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { contextFor, handlerConfig, orderWebhook } from '../support/order-status.js';

let fluent: FluentSim;
let ct: CommercetoolsSim;
const handlers: MessageHandler[] = [];

beforeAll(async () => {
  [fluent, ct] = await Promise.all([startFluentSim(), startCommercetoolsSim()]);
  fluent.store.seedExampleMappings({ connectorNames: DOCUMENTED_SPELLING });
});

afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close?.() ?? Promise.resolve()));
  await Promise.all([fluent?.close(), ct?.close()]);
});

function newHandler(connectorName: string) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const metrics = new Registry();
  const handler = createOrderStatusHandler({ config: handlerConfig(fluent, ct, { connectorName }), logger, metrics });
  handlers.push(handler);
  return { handler, lines, metrics };
}

describe.each(['commercetools', 'commerce-tools'])('CONNECTOR_NAME=%s with the documented spelling', (name) => {
  it('updates order, payment and shipment state', async () => {
    const { handler } = newHandler(name);
    const ref = `SN_${name}_${Date.now().toString(36)}`;
    const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
    ct.store.createOrder({ orderNumber: ref });
    const outcome = await handler.handle(contextFor(orderWebhook({ id: order.id, ref }, 'BOOKED')));
    expect(outcome.status).toBe('applied');
    expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({
      orderState: 'Confirmed',
      paymentState: 'Paid',
      shipmentState: 'Pending',
    });
  });

  it('tells once per retailer and setting which name and context are in force', async () => {
    const { handler, lines, metrics } = newHandler(name);
    for (let i = 0; i < 3; i++) {
      const ref = `SN_LOG_${name}_${Date.now().toString(36)}_${i}`;
      const order = fluent.store.upsertOrder({ ref, status: 'RECEIVED' });
      ct.store.createOrder({ orderNumber: ref });
      await handler.handle(contextFor(orderWebhook({ id: order.id, ref }, 'RECEIVED')));
    }
    const inForce = lines.filter((l) => l['msg'] === 'Fluent setting in force');
    expect(inForce.map((l) => `${String(l['setting'])} ${String(l['name'])} ${String(l['context'])}`)).toEqual([
      'order.order-status-mapping fc.connect.commercetools.order.order-status-mapping ACCOUNT',
      'order.payment-status-mapping fc.connect.commerce-tools.order.payment-status-mapping ACCOUNT',
      'order.shipping-status-mapping fc.connect.commerce-tools.order.shipping-status-mapping ACCOUNT',
      'account-mapping fc.connect.commercetools.account-mapping ACCOUNT',
    ]);
    expect(lines.filter((l) => String(l['msg']).startsWith('Fluent setting not found'))).toEqual([]);
    expect(await metrics.metrics()).toContain(
      'fc_order_status_setting_in_force{retailer="1",setting="order.payment-status-mapping",name="fc.connect.commerce-tools.order.payment-status-mapping",context="ACCOUNT"} 1',
    );
  });
});

describe('a dimension with no setting under any name', () => {
  it('warns once, not per message, and the other dimensions still update', async () => {
    // A custom connector name has no other spelling: only its order mapping exists.
    const lonely = newHandler('my-connector');
    fluent.store.setSetting({
      name: 'fc.connect.my-connector.order.order-status-mapping',
      value: { fluent: { BOOKED: 'Confirmed' } },
    });
    for (let i = 0; i < 3; i++) {
      const ref = `SN_LONELY_${Date.now().toString(36)}_${i}`;
      const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
      ct.store.createOrder({ orderNumber: ref });
      await lonely.handler.handle(contextFor(orderWebhook({ id: order.id, ref }, 'BOOKED')));
      expect(ct.store.getOrder({ orderNumber: ref })?.orderState).toBe('Confirmed');
    }
    const warnings = lonely.lines.filter((l) => String(l['msg']).startsWith('Fluent setting not found'));
    expect(warnings.map((w) => w['setting'])).toEqual([
      'order.payment-status-mapping',
      'order.shipping-status-mapping',
    ]);
  });
});
