/** The Fluent simulator's `orders` search: filters, inclusive date bounds, keyset pagination, Fluent's page limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FluentStore,
  passwordGrantForm,
  queryOrders,
  startFluentSim,
  type FluentOrder,
  type FluentSim,
} from '../../../sim/fluent/index.js';

/** A store whose clock the test moves: each order gets the instant set before it is written. */
function storeWithClock() {
  let now = Date.parse('2024-05-01T10:00:00.000Z');
  const store = new FluentStore(() => new Date(now));
  return {
    store,
    at: (iso: string) => {
      now = Date.parse(iso);
    },
  };
}

const refsOf = (orders: { edges: { node: FluentOrder }[] }) => orders.edges.map((e) => e.node.ref);

describe('orders search: filters and date bounds', () => {
  it('keeps both updatedOn bounds inclusive, to the millisecond', () => {
    const { store, at } = storeWithClock();
    at('2024-05-01T09:59:59.999Z');
    store.upsertOrder({ ref: 'BEFORE' });
    at('2024-05-01T10:00:00.000Z');
    store.upsertOrder({ ref: 'AT_FROM' });
    at('2024-05-01T10:30:00.000Z');
    store.upsertOrder({ ref: 'INSIDE' });
    at('2024-05-01T11:00:00.000Z');
    store.upsertOrder({ ref: 'AT_TO' });
    at('2024-05-01T11:00:00.001Z');
    store.upsertOrder({ ref: 'AFTER' });
    const page = queryOrders(store.allOrders(), {
      updatedOn: { from: '2024-05-01T10:00:00Z', to: '2024-05-01T11:00:00Z' },
      first: 100,
    });
    expect(refsOf(page).sort()).toEqual(['AT_FROM', 'AT_TO', 'INSIDE']);
  });

  it('compares instants, whatever the offset the bound is written with', () => {
    const { store, at } = storeWithClock();
    at('2024-05-01T10:00:00.000Z');
    store.upsertOrder({ ref: 'A' });
    const page = queryOrders(store.allOrders(), { updatedOn: { from: '2024-05-01T12:00:00+02:00' }, first: 10 });
    expect(refsOf(page)).toEqual(['A']);
    expect(refsOf(queryOrders(store.allOrders(), { updatedOn: { to: '2024-05-01T11:59:59+02:00' } }))).toEqual([]);
  });

  it('filters on createdOn separately from updatedOn', () => {
    const { store, at } = storeWithClock();
    at('2024-05-01T08:00:00Z');
    store.upsertOrder({ ref: 'OLD' });
    at('2024-05-01T10:00:00Z');
    store.upsertOrder({ ref: 'NEW' });
    store.setOrderStatus({ ref: 'OLD' }, 'BOOKED');
    const updated = queryOrders(store.allOrders(), { updatedOn: { from: '2024-05-01T09:00:00Z' } });
    const created = queryOrders(store.allOrders(), { createdOn: { from: '2024-05-01T09:00:00Z' } });
    expect(refsOf(updated).sort()).toEqual(['NEW', 'OLD']);
    expect(refsOf(created)).toEqual(['NEW']);
  });

  it('filters on ref, type and status lists (any of the values)', () => {
    const store = new FluentStore();
    store.upsertOrder({ ref: 'HD_1', type: 'HD', status: 'BOOKED' });
    store.upsertOrder({ ref: 'CC_1', type: 'CC', status: 'BOOKED' });
    store.upsertOrder({ ref: 'POS_1', type: 'POS', status: 'COMPLETE' });
    expect(refsOf(queryOrders(store.allOrders(), { type: ['HD', 'CC'] })).sort()).toEqual(['CC_1', 'HD_1']);
    expect(refsOf(queryOrders(store.allOrders(), { status: ['COMPLETE'] }))).toEqual(['POS_1']);
    expect(refsOf(queryOrders(store.allOrders(), { ref: ['CC_1', 'NONE'] }))).toEqual(['CC_1']);
    expect(refsOf(queryOrders(store.allOrders(), { type: [] }))).toEqual([]);
  });
});

describe('orders search: pages', () => {
  const storeOf = (count: number) => {
    const store = new FluentStore();
    for (let i = 0; i < count; i++) store.upsertOrder({ id: String(1000 + i), ref: `O_${i}` });
    return store;
  };

  it('answers 10 orders without first, newest first, and says whether more follow', () => {
    const page = queryOrders(storeOf(12).allOrders(), {});
    expect(page.edges).toHaveLength(10);
    expect(page.edges[0]?.node.ref).toBe('O_11');
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
  });

  it('continues after the last edge cursor until hasNextPage is false, each order once', () => {
    const store = storeOf(25);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = queryOrders(store.allOrders(), { first: 10, after });
      pages += 1;
      seen.push(...refsOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.edges.at(-1)?.cursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  it('skips nothing when orders leave the range between pages (updated past `to` during a sweep)', () => {
    const { store, at } = storeWithClock();
    at('2024-05-01T10:00:00Z');
    for (let i = 0; i < 30; i++) store.upsertOrder({ id: String(1000 + i), ref: `O_${i}` });
    const range = { updatedOn: { from: '2024-05-01T09:00:00Z', to: '2024-05-01T10:00:00Z' } };
    const first = queryOrders(store.allOrders(), { ...range, first: 10 });
    // The sweep is running: ten orders already listed and five not yet listed change status now.
    at('2024-05-01T10:05:00Z');
    for (const ref of [...refsOf(first), 'O_5', 'O_6', 'O_7', 'O_8', 'O_9']) store.setOrderStatus({ ref }, 'BOOKED');
    const rest: string[] = [];
    let after = first.edges.at(-1)?.cursor;
    for (;;) {
      const page = queryOrders(store.allOrders(), { ...range, first: 10, after });
      rest.push(...refsOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.edges.at(-1)?.cursor;
    }
    // The first page held O_29..O_20 (newest first); of the twenty after it, the five updated ones left the range.
    const stillInRange = Array.from({ length: 20 }, (_, i) => `O_${i}`).filter((r) => !/^O_[5-9]$/.test(r));
    expect(rest.sort()).toEqual(stillInRange.sort());
  });

  it('refuses what Fluent refuses: first above 5,000, a negative first, backward paging in the simulator', () => {
    const orders = storeOf(1).allOrders();
    expect(() => queryOrders(orders, { first: 5_001 })).toThrow(/first must be between 0 and 5000/);
    expect(() => queryOrders(orders, { first: -1 })).toThrow(/first/);
    expect(() => queryOrders(orders, { last: 5 })).toThrow(/forward only/);
    expect(queryOrders(orders, { first: 5_000 }).edges).toHaveLength(1);
  });
});

describe('orders search over GraphQL', () => {
  let sim: FluentSim;
  let token: string;

  beforeAll(async () => {
    sim = await startFluentSim();
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: passwordGrantForm(sim.credentials).toString(),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => sim.close());

  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${sim.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string }[] } };
  };

  const QUERY = `query Orders($updatedOn: DateRange, $type: [String], $first: Int, $after: String) {
    orders(updatedOn: $updatedOn, type: $type, first: $first, after: $after) {
      edges { cursor node { id ref type status updatedOn retailer { id } } }
      pageInfo { hasNextPage }
    }
  }`;

  it('answers the shape Fluent answers', async () => {
    sim.store.upsertOrder({ id: '7', ref: 'GQL_1', type: 'CC', status: 'BOOKED', retailerId: '2' });
    const { status, body } = await gql(QUERY, { updatedOn: { from: '2000-01-01T00:00:00Z' }, type: ['CC'], first: 5 });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      orders: {
        edges: [
          {
            cursor: expect.any(String),
            node: {
              id: '7',
              ref: 'GQL_1',
              type: 'CC',
              status: 'BOOKED',
              updatedOn: expect.any(String),
              retailer: { id: '2' },
            },
          },
        ],
        pageInfo: { hasNextPage: false },
      },
    });
    expect(sim.stats.byRootField.orders).toBe(1);
  });

  it('answers HTTP 200 with a GraphQL error for a page larger than 5,000', async () => {
    const { status, body } = await gql(QUERY, { first: 6_000 });
    expect(status).toBe(200);
    expect(body.errors?.[0]?.message).toMatch(/first must be between 0 and 5000/);
  });
});
