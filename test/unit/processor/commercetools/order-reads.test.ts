/**
 * commercetools order reads: the predicate a batch sends, and the routing of concurrent reads into one request per
 * tenant and lookup field, each record getting its own order or its own not-found.
 */
import { describe, expect, it } from 'vitest';
import type { CtOrder, OrderLocator } from '../../../../processor/commercetools/client.js';
import type { CtTarget } from '../../../../processor/commercetools/credentials.js';
import { CtOrderReads, type OrderListSource } from '../../../../processor/commercetools/order-reads.js';
import { inPredicate } from '../../../../processor/commercetools/predicate.js';
import { NonRetryableError } from '../../../../processor/errors.js';
import { ctTarget } from './support/targets.js';

const order = (id: string, orderNumber: string): CtOrder => ({
  id,
  version: 1,
  orderNumber,
  orderState: 'Open',
  paymentState: null,
  shipmentState: null,
});

/** An in-memory source holding orders per project/store, recording every request. */
function source(orders: Record<string, CtOrder[]>) {
  const requests: Array<{ where: string; by: OrderLocator['by']; values: readonly string[] }> = [];
  const list: OrderListSource = {
    findOrders: (target, by, values) => {
      requests.push({ where: `${target.projectKey}/${target.storeKey ?? '-'}`, by, values });
      const held = orders[`${target.projectKey}/${target.storeKey ?? '-'}`] ?? [];
      return Promise.resolve(held.filter((o) => values.includes(String(o[by]))));
    },
    findOrder: () => Promise.reject(new Error('single reads are not expected with batching on')),
  };
  return { list, requests };
}

/** Reads are batched per tenant: project, store and API client (tenantKeyOf); the URLs are never called. */
const target = (projectKey: string, storeKey?: string, clientId = 'c1'): CtTarget =>
  ctTarget('http://ct.invalid', { projectKey, storeKey, credentials: { clientId } });

describe('inPredicate', () => {
  it('quotes each value as a predicate string literal', () => {
    expect(inPredicate('orderNumber', ['A-1', 'B 2'])).toBe('orderNumber in ("A-1", "B 2")');
  });

  it('escapes quotes and backslashes, so a value cannot change the predicate', () => {
    expect(inPredicate('id', ['a") or (id is defined', 'back\\slash'])).toBe(
      'id in ("a\\") or (id is defined", "back\\\\slash")',
    );
  });
});

describe('CtOrderReads', () => {
  it('batches concurrent reads of one project and field into one request; each record gets its own order', async () => {
    const { list, requests } = source({ 'p1/-': [order('1', 'N1'), order('2', 'N2')] });
    const sizes: number[] = [];
    const reads = new CtOrderReads({
      source: list,
      batch: { windowMs: 2, maxSize: 100 },
      onBatch: (n) => sizes.push(n),
    });
    const [a, b, missing] = await Promise.all([
      reads.find(target('p1'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p1'), { by: 'orderNumber', value: 'N2' }),
      reads.find(target('p1'), { by: 'orderNumber', value: 'N3' }),
    ]);
    expect([a?.id, b?.id, missing]).toEqual(['1', '2', null]);
    expect(requests).toEqual([{ where: 'p1/-', by: 'orderNumber', values: ['N1', 'N2', 'N3'] }]);
    expect(sizes).toEqual([3]);
  });

  it('never mixes projects, stores, API clients or lookup fields in one request', async () => {
    const { list, requests } = source({
      'p1/-': [order('1', 'N1')],
      'p2/-': [order('9', 'N1')],
      'p1/s1': [order('5', 'N1')],
    });
    const reads = new CtOrderReads({ source: list, batch: { windowMs: 2, maxSize: 100 } });
    const found = await Promise.all([
      reads.find(target('p1'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p2'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p1', 's1'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p1', undefined, 'c2'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p1'), { by: 'id', value: '1' }),
    ]);
    expect(found.map((o) => o?.id)).toEqual(['1', '9', '5', '1', '1']);
    expect(requests).toHaveLength(5);
  });

  it('fails every record of a failed request with that request’s typed error', async () => {
    const failure = new NonRetryableError('commercetools orders(where): InvalidInput');
    const list: OrderListSource = {
      findOrders: () => Promise.reject(failure),
      findOrder: () => Promise.resolve(null),
    };
    const reads = new CtOrderReads({ source: list, batch: { windowMs: 2, maxSize: 100 } });
    const errors = await Promise.all([
      reads.find(target('p1'), { by: 'id', value: 'a' }).catch((e: unknown) => e),
      reads.find(target('p1'), { by: 'id', value: 'b' }).catch((e: unknown) => e),
    ]);
    expect(errors).toEqual([failure, failure]);
  });

  it('sends single reads when batching is off', async () => {
    const single: Array<[string, OrderLocator]> = [];
    const list: OrderListSource = {
      findOrders: () => Promise.reject(new Error('no batches expected')),
      findOrder: (t, locator) => {
        single.push([t.projectKey, locator]);
        return Promise.resolve(order('1', locator.value));
      },
    };
    const reads = new CtOrderReads({ source: list });
    await Promise.all([
      reads.find(target('p1'), { by: 'orderNumber', value: 'N1' }),
      reads.find(target('p1'), { by: 'orderNumber', value: 'N2' }),
    ]);
    expect(single).toEqual([
      ['p1', { by: 'orderNumber', value: 'N1' }],
      ['p1', { by: 'orderNumber', value: 'N2' }],
    ]);
  });
});
