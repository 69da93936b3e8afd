/**
 * Fluent order reads against the Fluent simulator: concurrent reads become one `orders(ref:)` query, each record gets
 * its own retailer's order or its own not-found, and ambiguous answers fall back to the record's single read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../../../common/errors.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { createFluentTokenCache } from '../../../../processor/fluent/auth.js';
import { FluentClient } from '../../../../processor/fluent/client.js';
import { loadFluentDocuments } from '../../../../processor/fluent/documents.js';
import { FluentOrderReads } from '../../../../processor/fluent/order-reads.js';
import { startFluentSim, type FluentSim } from '../../../../sim/fluent/index.js';

let sim: FluentSim;
let transport: HttpTransport;
let batches: number[];

beforeAll(async () => {
  sim = await startFluentSim();
  transport = new HttpTransport({ service: 'fluent', timeoutMs: 2_000 });
});
afterAll(async () => {
  await transport.close();
  await sim.close();
});
beforeEach(() => {
  sim.store.clear();
  sim.faults.reset();
  sim.stats.reset();
  sim.requests.clear();
  batches = [];
});

/** Reads with batching on (2 ms, 100 orders), or off. */
function reads(batching: 'on' | 'off' = 'on') {
  const batch = batching === 'on' ? { windowMs: 2, maxSize: 100 } : undefined;
  const client = new FluentClient({
    baseUrl: sim.url,
    transport,
    tokens: createFluentTokenCache(transport, { baseUrl: sim.url, ...sim.credentials }),
    documents: loadFluentDocuments(),
    retries: 0,
  });
  return new FluentOrderReads({ client, batch, tenant: 'acme', onBatch: (size) => batches.push(size) });
}

/** GraphQL root fields the simulator executed, by name. */
function rootFields(): Record<string, number> {
  return { ...sim.stats.byRootField };
}

describe('FluentOrderReads', () => {
  it('coalesces concurrent reads into one orders(ref:) query and gives each record its own order', async () => {
    for (let i = 0; i < 20; i++) sim.store.upsertOrder({ id: String(500 + i), ref: `O_${i}`, status: 'BOOKED' });
    const fluent = reads();
    const orders = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fluent.order({ id: String(500 + i), ref: `O_${i}` }, '1')),
    );
    expect(orders.map((o) => o?.ref)).toEqual(Array.from({ length: 20 }, (_, i) => `O_${i}`));
    expect(orders.map((o) => o?.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(500 + i)));
    expect(rootFields()).toEqual({ orders: 1 });
    expect(batches).toEqual([20]);
  });

  it('answers a ref Fluent does not have with that record’s not-found, the others with their orders', async () => {
    sim.store.upsertOrder({ id: '1', ref: 'O_1', status: 'BOOKED' });
    const fluent = reads();
    const [found, missing] = await Promise.all([
      fluent.order({ id: '1', ref: 'O_1' }, '1'),
      fluent.order({ ref: 'O_missing' }, '1'),
    ]);
    expect(found?.id).toBe('1');
    expect(missing).toBeNull();
    expect(rootFields()).toEqual({ orders: 1 });
  });

  it('gives records of two retailers sharing a ref each their own retailer’s order from one batch', async () => {
    sim.store.upsertOrder({ id: '11', ref: 'O_SHARED', status: 'BOOKED', retailerId: '1' });
    sim.store.upsertOrder({ id: '22', ref: 'O_SHARED', status: 'COMPLETE', retailerId: '2' });
    const fluent = reads();
    const [first, second] = await Promise.all([
      fluent.order({ ref: 'O_SHARED' }, '1'),
      fluent.order({ ref: 'O_SHARED' }, '2'),
    ]);
    expect(first).toMatchObject({ id: '11', status: 'BOOKED', retailer: { id: '1' } });
    expect(second).toMatchObject({ id: '22', status: 'COMPLETE', retailer: { id: '2' } });
    expect(rootFields()).toEqual({ orders: 1 });
    expect(batches).toEqual([1]);
  });

  it('never hands a record another retailer’s order: it falls back to its own read, which reports the mismatch', async () => {
    sim.store.upsertOrder({ id: '7', ref: 'O_7', status: 'BOOKED', retailerId: '2' });
    const fluent = reads();
    const order = await fluent.order({ id: '7', ref: 'O_7' }, '1');
    // The single read by id answers the order as Fluent has it; the handler's retailer check rejects it.
    expect(order?.retailer?.id).toBe('2');
    expect(rootFields()).toEqual({ orders: 1, orderById: 1 });
  });

  it('falls back to the single read when the webhook names another order id than the batch found for the ref', async () => {
    sim.store.upsertOrder({ id: '8', ref: 'O_8', status: 'BOOKED' });
    const fluent = reads();
    await expect(fluent.order({ id: '999', ref: 'O_8' }, '1')).resolves.toBeNull();
    expect(rootFields()).toEqual({ orders: 1, orderById: 1 });
  });

  it('fails every record of a failed batch with the same typed error a single read raises', async () => {
    sim.store.upsertOrder({ ref: 'O_1' });
    sim.store.upsertOrder({ ref: 'O_2' });
    sim.faults.outage(true, 'status', 'graphql');
    const fluent = reads();
    const errors = await Promise.all([
      fluent.order({ ref: 'O_1' }, '1').catch((e: unknown) => e),
      fluent.order({ ref: 'O_2' }, '1').catch((e: unknown) => e),
    ]);
    expect(errors[0]).toBe(errors[1]);
    const single = await reads('off')
      .order({ ref: 'O_1' }, '1')
      .catch((e: unknown) => e);
    expect(errorCodeOf(errors[0])).toBe(errorCodeOf(single));
    expect(errorCodeOf(single)).toBe('DOWNSTREAM_UNAVAILABLE');
  });

  it('sends one request per read when batching is off', async () => {
    sim.store.upsertOrder({ id: '1', ref: 'O_1' });
    sim.store.upsertOrder({ id: '2', ref: 'O_2' });
    const fluent = reads('off');
    await Promise.all([fluent.order({ id: '1', ref: 'O_1' }, '1'), fluent.order({ ref: 'O_2' }, '1')]);
    expect(rootFields()).toEqual({ orderById: 1, order: 1 });
    expect(batches).toEqual([]);
  });
});
