/**
 * The version cache must only hold what is known at the cached version. A replaced order query may select more than
 * the mutation returns (e.g. a custom field a partner hook reads); merging the pre-write read with the write's answer
 * would label the old value with the new version, and the next write would pass the version check on stale data.
 */
import { describe, expect, it } from 'vitest';
import type {
  CommercetoolsClient,
  CtOrder,
  OrderTarget,
  UpdateResult,
} from '../../../../processor/commercetools/client.js';
import { syncOrder } from '../../../../processor/commercetools/orders.js';
import { OrderVersionCache } from '../../../../processor/commercetools/version-cache.js';
import { ctTarget } from './support/targets.js';

/** The orders are found by fakes: the credentials are never used. */
const TARGET = ctTarget('http://ct.invalid');

type Order = CtOrder & { readonly flag: string };

function fakeCommercetools() {
  let order: Order = { id: 'o1', version: 1, orderState: 'Open', paymentState: null, shipmentState: null, flag: 'old' };
  const calls = { reads: 0, writes: 0 };
  const client = {
    findOrder() {
      calls.reads++;
      return Promise.resolve({ ...order });
    },
    updateOrder(_p: string, { version }: OrderTarget, actions: Record<string, unknown>[]): Promise<UpdateResult> {
      calls.writes++;
      if (version !== order.version) return Promise.resolve({ kind: 'conflict', message: 'ConcurrentModification' });
      let next: Order = { ...order, version: order.version + 1 };
      for (const action of actions) {
        if ('setFlag' in action) next = { ...next, flag: String(action['setFlag']) };
        if ('changeOrderState' in action) next = { ...next, orderState: 'Confirmed' };
      }
      order = next;
      // The mutation selects id, version and the states, not the partner's field.
      const { id, version: v, orderState, paymentState, shipmentState } = order;
      return Promise.resolve({ kind: 'updated', order: { id, version: v, orderState, paymentState, shipmentState } });
    },
  };
  return { client: client as unknown as CommercetoolsClient, calls };
}

describe('version cache and fields the mutation does not return', () => {
  it('a field the write did not return is never served from the cache under the new version', async () => {
    const ct = fakeCommercetools();
    const cache = new OrderVersionCache(10);
    const seen: string[] = [];
    const run = () =>
      syncOrder({
        client: ct.client,
        target: TARGET,
        locator: { by: 'orderNumber', value: 'O_1' },
        cacheKey: 'p/O_1',
        cache,
        actionsFor: (o) => {
          const flag = (o as Order).flag;
          seen.push(flag);
          const actions: Record<string, unknown>[] = [];
          if (o.orderState !== 'Confirmed') actions.push({ changeOrderState: { orderState: 'Confirmed' } });
          if (flag !== 'new') actions.push({ setFlag: 'new' });
          return actions;
        },
      });
    expect((await run()).kind).toBe('applied');
    // Nothing is left to do: the second run must see flag 'new' (never 'old' labelled with version 2) and not write.
    expect((await run()).kind).toBe('unchanged');
    expect(ct.calls.writes).toBe(1);
    expect(seen).toEqual(['old', 'new']);
  });
});
