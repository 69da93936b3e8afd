/**
 * After a ConcurrentModification the other writer may have been another instance of this connector (e.g. two
 * consumers overlapping during a rebalance) that applied a *newer* Fluent status. The re-read must therefore be
 * paired with a fresh Fluent fetch, or the older desired state would be written over the newer one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageHandler } from '../../../processor/handler.js';
import { createOrderStatusHandler } from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { contextFor, handlerConfig, neverRegressed, orderWebhook, silentLogger } from '../support/order-status.js';

let fluent: FluentSim;
let ct: CommercetoolsSim;
const handlers: MessageHandler[] = [];

beforeAll(async () => {
  [fluent, ct] = await Promise.all([startFluentSim({ seedMappingsFor: 'commercetools' }), startCommercetoolsSim()]);
});

afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close?.() ?? Promise.resolve()));
  await Promise.all([fluent?.close(), ct?.close()]);
});

describe('order-status handler: conflicts re-fetch the Fluent order', () => {
  it.each([
    ['without the version cache', 0],
    ['with a cached version', 1_000],
  ])('a newer status written by another instance meanwhile is never regressed (%s)', async (_label, cacheSize) => {
    const ref = `RF_${cacheSize}_${Date.now().toString(36)}`;
    const order = fluent.store.upsertOrder({ ref, status: 'RECEIVED' });
    ct.store.createOrder({ orderNumber: ref });
    let interfere = false;
    const handler = createOrderStatusHandler({
      config: handlerConfig(fluent, ct, { versionCacheSize: cacheSize }),
      logger: silentLogger,
      // Runs after the commercetools read and before the write: the moment another instance can slip in.
      extraActions: () => {
        if (interfere) {
          interfere = false;
          fluent.store.setOrderStatus({ id: order.id }, 'COMPLETE');
          ct.store.externalWrite(
            { orderNumber: ref },
            { orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' },
          );
        }
        return [];
      },
    });
    handlers.push(handler);
    // Warm the version cache (when enabled) with RECEIVED → Open/Pending/Pending.
    expect((await handler.handle(contextFor(orderWebhook(order, 'RECEIVED')))).status).toBe('applied');

    fluent.store.setOrderStatus({ id: order.id }, 'BOOKED');
    interfere = true;
    await handler.handle(contextFor(orderWebhook(order, 'BOOKED')));

    expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({
      orderState: 'Complete',
      paymentState: 'Paid',
      shipmentState: 'Shipped',
    });
    expect(neverRegressed(ct.store.history({ orderNumber: ref }))).toBe(true);
  });
});
