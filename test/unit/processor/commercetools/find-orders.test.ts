/**
 * The batched commercetools read (`findOrders`) against the commercetools simulator on the official schema: one
 * `orders(where:)` query per batch, project-wide or through `inStore` with a store-scoped API client, values that
 * need escaping, and a refused query typed as a permanent error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommercetoolsClient } from '../../../../processor/commercetools/client.js';
import type { CtTarget } from '../../../../processor/commercetools/credentials.js';
import { loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { CtOrderReads } from '../../../../processor/commercetools/order-reads.js';
import { BUNDLED_CT_SCHEMA_PATH } from '../../../../processor/commercetools/schema-file.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { errorCodeOf, isRetriable } from '../../../../processor/errors.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../../sim/commercetools/index.js';
import { ctTarget } from './support/targets.js';

let sim: CommercetoolsSim;
let transport: HttpTransport;
let client: CommercetoolsClient;

beforeAll(async () => {
  sim = await startCommercetoolsSim({
    clients: [
      { clientId: 'project-client', clientSecret: 'p-secret', projectKeys: ['shop'] },
      { clientId: 'store-client', clientSecret: 's-secret', projectKeys: ['shop'], storeKeys: ['berlin'] },
    ],
    defaultProjectKey: 'shop',
  });
  transport = new HttpTransport({ service: 'commercetools', timeoutMs: 2_000 });
  client = new CommercetoolsClient({
    transport,
    documents: loadCommercetoolsDocuments({}, { file: BUNDLED_CT_SCHEMA_PATH }),
    retries: 0,
  });
});
afterAll(async () => {
  await transport.close();
  await sim.close();
});
beforeEach(() => {
  sim.store.clear();
  sim.stats.reset();
});

const projectTarget = (): CtTarget =>
  ctTarget(sim.apiUrl, {
    projectKey: 'shop',
    credentials: { clientId: 'project-client', clientSecret: 'p-secret', authUrl: sim.authUrl },
  });

/** A store-scoped API client, configured in CT_PROJECTS. */
const storeTarget = (): CtTarget =>
  ctTarget(sim.apiUrl, {
    projectKey: 'shop',
    storeKey: 'berlin',
    credentials: {
      clientId: 'store-client',
      clientSecret: 's-secret',
      scope: 'manage_orders:{projectKey}:{storeKey}',
      authUrl: sim.authUrl,
      storeKey: 'berlin',
      source: 'CT_PROJECTS "shop"',
    },
  });

describe('CommercetoolsClient.findOrders', () => {
  it('reads many orders by orderNumber in one orders(where:) query, quotes included', async () => {
    sim.store.createOrder({ orderNumber: 'N-1', id: 'id-1' });
    sim.store.createOrder({ orderNumber: 'N "2"', id: 'id-2' });
    sim.store.createOrder({ orderNumber: 'N-3', id: 'id-3' });
    const orders = await client.findOrders(projectTarget(), 'orderNumber', ['N-1', 'N "2"', 'missing']);
    expect(orders.map((o) => o.id).sort()).toEqual(['id-1', 'id-2']);
    expect(orders[0]).toMatchObject({ version: 1, orderState: 'Open' });
    expect(sim.stats.listQueries).toBe(1);
    expect(sim.stats.listKeys).toBe(3);
  });

  it('reads by id too', async () => {
    sim.store.createOrder({ orderNumber: 'N-1', id: 'id-1' });
    const orders = await client.findOrders(projectTarget(), 'id', ['id-1']);
    expect(orders.map((o) => o.orderNumber)).toEqual(['N-1']);
  });

  it('reads through inStore with a store-scoped client, and only that store’s orders', async () => {
    sim.store.createOrder({ orderNumber: 'B-1', id: 'b1', storeKey: 'berlin' });
    sim.store.createOrder({ orderNumber: 'M-1', id: 'm1', storeKey: 'munich' });
    const orders = await client.findOrders(storeTarget(), 'orderNumber', ['B-1', 'M-1']);
    expect(orders.map((o) => o.id)).toEqual(['b1']);
    expect(sim.stats.readsByField).toEqual({ 'inStore.orders': 1 });
    expect(sim.stats.forbidden).toBe(0);
  });

  it('batches concurrent records through the coalescer: one request, each record its own order', async () => {
    for (let i = 0; i < 30; i++) sim.store.createOrder({ orderNumber: `N-${i}`, id: `id-${i}` });
    const reads = new CtOrderReads({ source: client, batch: { windowMs: 2, maxSize: 100 } });
    const found = await Promise.all(
      Array.from({ length: 31 }, (_, i) => reads.find(projectTarget(), { by: 'orderNumber', value: `N-${i}` })),
    );
    expect(found.slice(0, 30).map((o) => o?.id)).toEqual(Array.from({ length: 30 }, (_, i) => `id-${i}`));
    expect(found[30]).toBeNull();
    expect(sim.stats.listQueries).toBe(1);
    expect(sim.stats.readsByField).toEqual({ orders: 1 });
  });

  it('asks for at most 500 orders per query (commercetools’ page limit)', async () => {
    const values = Array.from({ length: 501 }, (_, i) => `N-${i}`);
    await expect(client.findOrders(projectTarget(), 'orderNumber', values)).rejects.toThrow(RangeError);
  });

  it('a failed batched request is typed as a single read’s failure would be (503: an outage, retriable)', async () => {
    sim.faults.failNext(1, 503, 'graphql');
    const batched = await client.findOrders(projectTarget(), 'orderNumber', ['N-1']).catch((e: unknown) => e);
    sim.faults.failNext(1, 503, 'graphql');
    const single = await client
      .findOrder(projectTarget(), { by: 'orderNumber', value: 'N-1' })
      .catch((e: unknown) => e);
    expect(errorCodeOf(batched)).toBe('DOWNSTREAM_UNAVAILABLE');
    expect(errorCodeOf(batched)).toBe(errorCodeOf(single));
    expect(isRetriable(batched)).toBe(true);
  });
});
