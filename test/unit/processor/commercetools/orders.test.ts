import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../../../processor/errors.js';
import type {
  CommercetoolsClient,
  CtOrder,
  OrderLocator,
  OrderTarget,
  UpdateResult,
} from '../../../../processor/commercetools/client.js';
import type { CallOptions } from '../../../../processor/downstream/graphql.js';
import { syncOrder } from '../../../../processor/commercetools/orders.js';
import { OrderVersionCache } from '../../../../processor/commercetools/version-cache.js';
import { statusActions } from '../../../../processor/handlers/order-status/actions.js';
import { ctTarget } from './support/targets.js';

/** The orders are found by fakes: the credentials are never used. */
const TARGET = ctTarget('http://ct.invalid');

/** A fake commercetools with optimistic concurrency; `interfere` changes the order behind the connector's back. */
function fakeCommercetools(initial: CtOrder | null) {
  let order = initial ? { ...initial } : null;
  const calls = { reads: 0, writes: 0 };
  /** What each call was given: the write's address, every call's correlation id. */
  const targets: OrderTarget[] = [];
  const correlationIds: (string | undefined)[] = [];
  let conflictsToForce = 0;
  const update = (id: string, version: number, actions: readonly Record<string, unknown>[]): UpdateResult => {
    calls.writes++;
    if (!order || order.id !== id) return { kind: 'not-found', message: 'gone' };
    if (conflictsToForce > 0) {
      conflictsToForce--;
      order = { ...order, version: order.version + 1 };
    }
    if (version !== order.version)
      return { kind: 'conflict', currentVersion: order.version, message: 'ConcurrentModification' };
    let next = { ...order, version: order.version + 1 };
    for (const action of actions) {
      const [[name, value]] = Object.entries(action) as [[string, Record<string, string>]];
      if (name === 'changeOrderState') next = { ...next, orderState: value['orderState']! };
      if (name === 'changePaymentState') next = { ...next, paymentState: value['paymentState']! };
      if (name === 'changeShipmentState') next = { ...next, shipmentState: value['shipmentState']! };
    }
    order = next;
    return { kind: 'updated', order: { ...order } };
  };
  const client = {
    findOrder: (_p: string, _locator: OrderLocator, call: CallOptions) => {
      calls.reads++;
      correlationIds.push(call.correlationId);
      return Promise.resolve(order ? { ...order } : null);
    },
    updateOrder: (_p: string, target: OrderTarget, actions: readonly Record<string, unknown>[], call: CallOptions) => {
      targets.push(target);
      correlationIds.push(call.correlationId);
      return Promise.resolve(update(target.id, target.version, actions));
    },
  };
  return {
    client: client as unknown as CommercetoolsClient,
    calls,
    targets,
    correlationIds,
    current: () => order,
    interfere: (patch: Partial<CtOrder>) => {
      order = { ...order!, ...patch, version: order!.version + 1 };
    },
    forceConflicts: (n: number) => (conflictsToForce = n),
  };
}

const ORDER: CtOrder = { id: 'o1', version: 1, orderState: 'Open', paymentState: null, shipmentState: null };

function run(
  ct: ReturnType<typeof fakeCommercetools>,
  desired: Parameters<typeof statusActions>[0],
  cache?: OrderVersionCache,
  conflictRetries = 3,
  locator: OrderLocator = { by: 'orderNumber', value: 'O_1' },
) {
  return syncOrder({
    client: ct.client,
    target: TARGET,
    locator,
    correlationId: 'event-1',
    cacheKey: 'p/O_1',
    cache,
    conflictRetries,
    actionsFor: (order) => statusActions(desired, order),
  });
}

describe('syncOrder', () => {
  it('reads once, writes only the changing actions', async () => {
    const ct = fakeCommercetools(ORDER);
    const result = await run(ct, { orderState: 'Confirmed', paymentState: 'Paid' });
    expect(result.kind).toBe('applied');
    expect(ct.calls).toEqual({ reads: 1, writes: 1 });
    expect(ct.current()).toMatchObject({ orderState: 'Confirmed', paymentState: 'Paid', version: 2 });
  });

  it('nothing to change → no write', async () => {
    const ct = fakeCommercetools({ ...ORDER, orderState: 'Confirmed' });
    expect((await run(ct, { orderState: 'Confirmed' })).kind).toBe('unchanged');
    expect(ct.calls.writes).toBe(0);
  });

  it('resolves conflicts by re-reading, within the bound', async () => {
    const ct = fakeCommercetools(ORDER);
    ct.forceConflicts(2);
    const result = await run(ct, { orderState: 'Confirmed' });
    expect(result).toMatchObject({ kind: 'applied', conflicts: 2 });
    expect(ct.calls).toEqual({ reads: 3, writes: 3 });
    expect(ct.current()?.orderState).toBe('Confirmed');
  });

  it('gives up with a RetryableError when conflicts persist', async () => {
    const ct = fakeCommercetools(ORDER);
    ct.forceConflicts(10);
    await expect(run(ct, { orderState: 'Confirmed' }, undefined, 2)).rejects.toThrowError(RetryableError);
    expect(ct.calls.writes).toBe(3);
  });

  it('after a conflict the diff is recomputed: a concurrent writer that already set the state means no write', async () => {
    const ct = fakeCommercetools(ORDER);
    const cache = new OrderVersionCache(10);
    await run(ct, { orderState: 'Confirmed' }, cache);
    ct.interfere({ paymentState: 'Paid' });
    const result = await run(ct, { paymentState: 'Paid' }, cache);
    expect(result.kind).toBe('unchanged');
  });

  it('the version cache saves the read on the next update of the same order', async () => {
    const ct = fakeCommercetools(ORDER);
    const cache = new OrderVersionCache(10);
    await run(ct, { orderState: 'Confirmed' }, cache);
    await run(ct, { orderState: 'Complete', shipmentState: 'Shipped' }, cache);
    expect(ct.calls).toEqual({ reads: 1, writes: 2 });
    expect(ct.current()).toMatchObject({ orderState: 'Complete', shipmentState: 'Shipped', version: 3 });
  });

  it('a stale cache entry costs a conflict and a re-read, never a wrong result', async () => {
    const ct = fakeCommercetools(ORDER);
    const cache = new OrderVersionCache(10);
    await run(ct, { orderState: 'Confirmed' }, cache);
    ct.interfere({ orderState: 'Cancelled' });
    const result = await run(ct, { orderState: 'Complete' }, cache);
    expect(result).toMatchObject({ kind: 'applied', conflicts: 0 });
    expect(ct.current()?.orderState).toBe('Complete');
    expect(ct.calls).toEqual({ reads: 2, writes: 3 });
  });

  it('a cached state never justifies skipping: "unchanged" is confirmed by a fresh read', async () => {
    const ct = fakeCommercetools(ORDER);
    const cache = new OrderVersionCache(10);
    await run(ct, { orderState: 'Confirmed' }, cache);
    ct.interfere({ orderState: 'Open' }); // someone moved it back
    const result = await run(ct, { orderState: 'Confirmed' }, cache);
    expect(result.kind).toBe('applied');
    expect(ct.current()?.orderState).toBe('Confirmed');
  });

  it('every call carries the correlation id (the webhook event id), conflict re-reads included', async () => {
    const ct = fakeCommercetools(ORDER);
    ct.forceConflicts(1);
    await run(ct, { orderState: 'Confirmed' });
    expect(ct.correlationIds).toEqual(['event-1', 'event-1', 'event-1', 'event-1']);
  });

  it("the write is addressed with the order's number: as read, else the one it was found by", async () => {
    const ct = fakeCommercetools(ORDER); // the read selects no orderNumber (a replaced order query may not)
    await run(ct, { orderState: 'Confirmed' });
    expect(ct.targets).toEqual([{ id: 'o1', version: 1, orderNumber: 'O_1' }]);

    const numbered = fakeCommercetools({ ...ORDER, orderNumber: 'N_7' });
    await run(numbered, { orderState: 'Confirmed' }, undefined, 3, { by: 'id', value: 'o1' });
    expect(numbered.targets).toEqual([{ id: 'o1', version: 1, orderNumber: 'N_7' }]);

    const unnumbered = fakeCommercetools(ORDER);
    await run(unnumbered, { orderState: 'Confirmed' }, undefined, 3, { by: 'id', value: 'o1' });
    expect(unnumbered.targets).toEqual([{ id: 'o1', version: 1, orderNumber: undefined }]);
  });

  it('a missing order is reported, not thrown', async () => {
    const ct = fakeCommercetools(null);
    expect((await run(ct, { orderState: 'Confirmed' })).kind).toBe('not-found');
  });
});

describe('OrderVersionCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new OrderVersionCache(2);
    cache.set('a', ORDER);
    cache.set('b', ORDER);
    cache.get('a');
    cache.set('c', ORDER);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.size).toBe(2);
  });
});
