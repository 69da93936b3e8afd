/**
 * The commercetools simulator's list reads: `orders(where, sort, limit, offset)` project-wide and under
 * `inStore(key)`, with commercetools' limits, a stable order, `InvalidInput` for what it refuses, and the counters
 * benches report (reads per field, keys per list query).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommercetoolsStore, startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { prepareOrdersQuery } from '../../../sim/commercetools/orders-query.js';

const ORDERS = `query Orders($where: String, $sort: [String!], $limit: Int, $offset: Int) {
  orders(where: $where, sort: $sort, limit: $limit, offset: $offset) {
    offset count total exists results { id orderNumber version orderState storeRef { key } }
  }
}`;
const IN_STORE_ORDERS = `query InStoreOrders($key: KeyReferenceInput!, $where: String, $limit: Int) {
  inStore(key: $key) { orders(where: $where, limit: $limit) { count total exists results { orderNumber } } }
}`;

interface ListBody {
  offset: number;
  count: number;
  total: number;
  exists: boolean;
  results: { id: string; orderNumber: string | null; version: number; storeRef: { key: string } | null }[];
}

let sim: CommercetoolsSim;
let token: string;

async function gql(query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${sim.apiUrl}/my-project/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data: { orders?: ListBody; inStore?: { orders: ListBody } } | null;
      errors?: { message: string; extensions: { code: string } }[];
    },
  };
}

async function orders(variables: Record<string, unknown>): Promise<ListBody> {
  const { status, body } = await gql(ORDERS, variables);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data!.orders!;
}

const numbersOf = (list: ListBody) => list.results.map((o) => o.orderNumber);
const inList = (values: string[]) => `(${values.map((v) => JSON.stringify(v)).join(', ')})`;

beforeAll(async () => {
  sim = await startCommercetoolsSim();
  const basic = Buffer.from(`${sim.credentials.clientId}:${sim.credentials.clientSecret}`).toString('base64');
  const res = await fetch(`${sim.authUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'manage_orders:my-project' }).toString(),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.store.clear();
  sim.stats.reset();
});

describe('commercetools orders(where): batched reads by key', () => {
  it('answers the orders a long orderNumber list names, leaving missing ones out', async () => {
    for (let i = 0; i < 120; i++) sim.store.createOrder({ orderNumber: `N_${i}` });
    const asked = [...Array.from({ length: 100 }, (_, i) => `N_${i + 50}`), 'MISSING_1', 'MISSING_2'];
    const list = await orders({ where: `orderNumber in ${inList(asked)}`, limit: 500 });
    const expected = asked.filter((n) => !n.startsWith('MISSING') && Number(n.slice(2)) < 120);
    expect(numbersOf(list).sort()).toEqual(expected.sort());
    expect(list).toMatchObject({ offset: 0, count: 70, total: 70, exists: true });
  });

  it('reads by id (= and in), combines with and / or, and answers an empty result with exists false', async () => {
    const a = sim.store.createOrder({ orderNumber: 'A', id: 'id-a' });
    sim.store.createOrder({ orderNumber: 'B', id: 'id-b' });
    sim.store.createOrder({ orderNumber: 'C', id: 'id-c' });
    expect(numbersOf(await orders({ where: `id = "${a.id}"` }))).toEqual(['A']);
    expect(numbersOf(await orders({ where: 'id in ("id-a", "id-c", "id-x")' })).sort()).toEqual(['A', 'C']);
    const both = await orders({ where: '(id = "id-a" or id = "id-b") and orderNumber in ("B", "C")' });
    expect(numbersOf(both)).toEqual(['B']);
    expect(await orders({ where: 'id = "id-x"' })).toEqual({
      offset: 0,
      count: 0,
      total: 0,
      exists: false,
      results: [],
    });
  });

  it('matches an orderNumber holding quotes and backslashes through escaped literals', async () => {
    sim.store.createOrder({ orderNumber: 'Q"1\\x' });
    const list = await orders({ where: String.raw`orderNumber = "Q\"1\\x"` });
    expect(numbersOf(list)).toEqual(['Q"1\\x']);
  });

  it('answers 20 results without limit and pages with offset, total constant, each order once', async () => {
    for (let i = 0; i < 45; i++) sim.store.createOrder({ orderNumber: `P_${String(i).padStart(2, '0')}` });
    const first = await orders({});
    expect(first).toMatchObject({ offset: 0, count: 20, total: 45, exists: true });
    const pages = [first, await orders({ offset: 20 }), await orders({ offset: 40 })];
    expect(pages.map((p) => [p.offset, p.count, p.total])).toEqual([
      [0, 20, 45],
      [20, 20, 45],
      [40, 5, 45],
    ]);
    expect(new Set(pages.flatMap(numbersOf)).size).toBe(45);
  });

  it('sorts by the given sort first', async () => {
    for (const n of ['M', 'Z', 'A']) sim.store.createOrder({ orderNumber: n });
    expect(numbersOf(await orders({ sort: ['orderNumber desc'] }))).toEqual(['Z', 'M', 'A']);
    expect(numbersOf(await orders({ sort: ['orderNumber'] }))).toEqual(['A', 'M', 'Z']);
  });
});

describe('commercetools orders(where): refusals (InvalidInput, HTTP 400)', () => {
  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ['a limit above 500', { limit: 501 }, /limit: must be between 0 and 500/],
    ['a negative limit', { limit: -1 }, /limit: must be between 0 and 500/],
    ['an offset above 10,000', { offset: 10_001 }, /offset: must be between 0 and 10000/],
    ['a malformed predicate', { where: 'orderNumber = O_1' }, /Malformed parameter: where: expected a string literal/],
    ['an unsupported field', { where: 'orderState = "Open"' }, /supports only 'id' or 'orderNumber'/],
    ['an unsupported sort', { sort: ['totalPrice asc'] }, /Malformed parameter: sort: 'totalPrice asc'/],
  ];

  it.each(refusals)('refuses %s', async (_, variables, message) => {
    sim.store.createOrder({ orderNumber: 'X' });
    const { status, body } = await gql(ORDERS, variables);
    expect(status).toBe(400);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions.code).toBe('InvalidInput');
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(sim.stats.listQueries).toBe(0);
  });

  it('accepts the bounds themselves: limit 500, offset 10,000', async () => {
    sim.store.createOrder({ orderNumber: 'X' });
    expect(await orders({ limit: 500, offset: 10_000 })).toMatchObject({ count: 0, total: 1, exists: true });
    expect((await orders({ limit: 0 })).results).toEqual([]);
  });
});

describe('commercetools inStore(key) { orders }', () => {
  it('lists only the store’s orders, even when the predicate names others', async () => {
    sim.store.createOrder({ orderNumber: 'EU_1', storeKey: 'eu' });
    sim.store.createOrder({ orderNumber: 'EU_2', storeKey: 'eu' });
    sim.store.createOrder({ orderNumber: 'US_1', storeKey: 'us' });
    sim.store.createOrder({ orderNumber: 'NONE_1' });
    const where = 'orderNumber in ("EU_1", "EU_2", "US_1", "NONE_1")';
    const { status, body } = await gql(IN_STORE_ORDERS, { key: 'eu', where });
    expect(status).toBe(200);
    expect(body.data?.inStore?.orders).toMatchObject({ count: 2, total: 2, exists: true });
    expect(body.data?.inStore?.orders.results.map((o) => o.orderNumber).sort()).toEqual(['EU_1', 'EU_2']);
    const all = await gql(IN_STORE_ORDERS, { key: 'us' });
    expect(all.body.data?.inStore?.orders.results).toEqual([{ orderNumber: 'US_1' }]);
    const project = await orders({ where });
    expect(project.results.map((o) => [o.orderNumber, o.storeRef?.key ?? null]).sort()).toEqual([
      ['EU_1', 'eu'],
      ['EU_2', 'eu'],
      ['NONE_1', null],
      ['US_1', 'us'],
    ]);
  });
});

describe('commercetools list stats', () => {
  it('counts reads per field, list queries, keys asked and batch sizes', async () => {
    sim.store.createOrder({ orderNumber: 'S_1', storeKey: 'eu' });
    await orders({ where: 'orderNumber in ("S_1", "S_2", "S_3")' });
    await orders({ where: 'orderNumber in ("S_1", "S_2", "S_3")', offset: 20 });
    await orders({});
    await gql(IN_STORE_ORDERS, { key: 'eu', where: 'orderNumber = "S_1"' });
    await gql(`{ order(orderNumber: "S_1") { id } inStore(key: "eu") { order(orderNumber: "S_1") { id } } }`, {});
    expect(sim.stats.readsByField).toEqual({ orders: 3, 'inStore.orders': 1, order: 1, 'inStore.order': 1 });
    expect(sim.stats.listQueries).toBe(4);
    expect(sim.stats.listKeys).toBe(3 + 3 + 0 + 1);
    expect(sim.stats.listBatchSizes).toEqual({ '3': 2, '0': 1, '1': 1 });
  });
});

describe('commercetools list order without sort', () => {
  it('orders by createdAt, then id', () => {
    let now = Date.parse('2024-05-01T10:00:00.000Z');
    const store = new CommercetoolsStore('p', () => new Date(now));
    store.createOrder({ id: 'z-late', orderNumber: 'LATE' }, 'p');
    now -= 60_000;
    store.createOrder({ id: 'b-early', orderNumber: 'EARLY_B' }, 'p');
    store.createOrder({ id: 'a-early', orderNumber: 'EARLY_A' }, 'p');
    const result = prepareOrdersQuery({}).run({
      find: (key) => store.find(key, 'p'),
      all: () => store.allOrders('p'),
    });
    expect(result.results.map((o) => o.orderNumber)).toEqual(['EARLY_A', 'EARLY_B', 'LATE']);
  });
});
