/**
 * The Fluent simulator's batched read `orders(ref: [...])`: many refs in one request, refs missing from the store,
 * one ref under several retailers (refs are unique per retailer only), `first` limits and paging with `after`, and
 * the list counters benches report.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FluentStore, passwordGrantForm, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';

const ORDERS_BY_REFS = `query FluentOrdersByRefs($refs: [String], $first: Int, $after: String) {
  orders(ref: $refs, first: $first, after: $after) {
    edges { cursor node { id ref status retailer { id } } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}`;

interface Page {
  edges: { cursor: string; node: { id: string; ref: string; status: string; retailer: { id: string } | null } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
}

let sim: FluentSim;
let token: string;

async function ordersByRefs(variables: { refs: (string | null)[]; first?: number; after?: string }) {
  const res = await fetch(`${sim.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ORDERS_BY_REFS, variables }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: { orders: Page }; errors?: { message: string }[] };
  return body;
}

async function page(variables: { refs: (string | null)[]; first?: number; after?: string }): Promise<Page> {
  const body = await ordersByRefs(variables);
  expect(body.errors).toBeUndefined();
  return body.data!.orders;
}

/** Every page of the batch, following the last edge's cursor as Fluent requires (there is no end cursor). */
async function allPages(refs: string[], first: number) {
  const pages: Page[] = [];
  let after: string | undefined;
  for (;;) {
    const next = await page({ refs, first, after });
    pages.push(next);
    if (!next.pageInfo.hasNextPage) return pages;
    after = next.edges.at(-1)!.cursor;
  }
}

const refsOf = (p: Page) => p.edges.map((e) => e.node.ref);

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
beforeEach(() => {
  sim.store.clear();
  sim.stats.reset();
});

describe('Fluent orders(ref: [...]): batched reads', () => {
  it('answers every stored order of a long ref list in one request, and nothing else', async () => {
    for (let i = 0; i < 300; i++) sim.store.upsertOrder({ id: String(5000 + i), ref: `B_${i}`, status: 'BOOKED' });
    const asked = Array.from({ length: 200 }, (_, i) => `B_${i * 3}`).filter((ref) => Number(ref.slice(2)) < 300);
    const result = await page({ refs: asked, first: 500 });
    expect(refsOf(result).sort()).toEqual([...asked].sort());
    expect(result.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  it('leaves refs missing from the store out of the answer (no null nodes, no error)', async () => {
    sim.store.upsertOrder({ ref: 'HERE_1' });
    sim.store.upsertOrder({ ref: 'HERE_2' });
    const result = await page({ refs: ['GONE_1', 'HERE_2', 'GONE_2', 'HERE_1', null], first: 10 });
    expect(refsOf(result).sort()).toEqual(['HERE_1', 'HERE_2']);
    expect((await page({ refs: ['GONE_1'], first: 10 })).edges).toEqual([]);
    expect((await page({ refs: [], first: 10 })).edges).toEqual([]);
  });

  it('answers one node per retailer for a ref several retailers use, each once even when asked twice', async () => {
    sim.store.upsertOrder({ ref: 'SHARED', retailerId: '1', status: 'BOOKED' });
    sim.store.upsertOrder({ ref: 'SHARED', retailerId: '2', status: 'PICK_PACK' });
    sim.store.upsertOrder({ ref: 'ONLY_3', retailerId: '3' });
    const result = await page({ refs: ['SHARED', 'ONLY_3', 'SHARED'], first: 10 });
    const nodes = result.edges.map((e) => [e.node.ref, e.node.retailer?.id, e.node.status]);
    expect(nodes.sort()).toEqual([
      ['ONLY_3', '3', 'CREATED'],
      ['SHARED', '1', 'BOOKED'],
      ['SHARED', '2', 'PICK_PACK'],
    ]);
    expect(new Set(result.edges.map((e) => e.node.id)).size).toBe(3);
  });

  it('answers 10 nodes without first, then pages after the last edge cursor, each order exactly once', async () => {
    const refs = Array.from({ length: 25 }, (_, i) => `P_${i}`);
    for (const ref of refs) sim.store.upsertOrder({ ref });
    const defaultPage = await page({ refs });
    expect(defaultPage.edges).toHaveLength(10);
    expect(defaultPage.pageInfo.hasNextPage).toBe(true);

    const pages = await allPages(refs, 10);
    expect(pages.map((p) => p.edges.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    expect(pages.flatMap(refsOf).sort()).toEqual([...refs].sort());
  });

  it('pages a ref shared by retailers without losing or repeating a node', async () => {
    for (const retailerId of ['1', '2', '3', '4', '5']) sim.store.upsertOrder({ ref: 'MULTI', retailerId });
    const pages = await allPages(['MULTI'], 2);
    expect(pages.map((p) => p.edges.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.edges.map((e) => e.node.retailer?.id)).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('caps first at 5,000 (GraphQL error, HTTP 200) and accepts exactly 5,000', async () => {
    sim.store.upsertOrder({ ref: 'CAP' });
    const refused = await ordersByRefs({ refs: ['CAP'], first: 5_001 });
    expect(refused.errors?.[0]?.message).toMatch(/first must be between 0 and 5000/);
    expect(refsOf(await page({ refs: ['CAP'], first: 5_000 }))).toEqual(['CAP']);
  });

  it('counts list queries, refs asked and batch sizes (each page is a query)', async () => {
    const refs = Array.from({ length: 12 }, (_, i) => `S_${i}`);
    for (const ref of refs) sim.store.upsertOrder({ ref });
    await allPages(refs, 5); // 3 pages of the same 12-ref batch
    await page({ refs: ['S_0', 'MISSING'], first: 5 });
    expect(sim.stats.listQueries).toBe(4);
    expect(sim.stats.listKeys).toBe(3 * 12 + 2);
    expect(sim.stats.listBatchSizes).toEqual({ '12': 3, '2': 1 });
    expect(sim.stats.byRootField.orders).toBe(4);
  });
});

describe('Fluent store: refs unique per retailer', () => {
  it('keeps one order per (ref, retailer) and replaces only the matching retailer’s', () => {
    const store = new FluentStore();
    const r1 = store.upsertOrder({ ref: 'R', retailerId: '1', status: 'BOOKED' });
    const r2 = store.upsertOrder({ ref: 'R', retailerId: '2', status: 'CREATED' });
    expect(r2.id).not.toBe(r1.id);
    const updated = store.upsertOrder({ ref: 'R', retailerId: '2', status: 'COMPLETE' });
    expect(updated.id).toBe(r2.id);
    expect(store.getOrder({ ref: 'R', retailerId: '1' })?.status).toBe('BOOKED');
    expect(store.getOrder({ ref: 'R', retailerId: '2' })?.status).toBe('COMPLETE');
    // Without a retailer the key names the first order stored under the ref.
    expect(store.getOrder({ ref: 'R' })?.id).toBe(r1.id);
    expect(store.ordersWithRefs(['R', 'R']).map((o) => o.id)).toEqual([r1.id, r2.id]);
  });

  it('updates the only order of a ref without a retailer, and refuses to guess between retailers', () => {
    const store = new FluentStore();
    const only = store.upsertOrder({ ref: 'SOLO', retailerId: '7' });
    expect(store.upsertOrder({ ref: 'SOLO', status: 'BOOKED' })).toMatchObject({ id: only.id, retailer: { id: '7' } });
    store.upsertOrder({ ref: 'SOLO', retailerId: '8' });
    expect(() => store.upsertOrder({ ref: 'SOLO', status: 'COMPLETE' })).toThrow(/several retailers; pass retailerId/);
  });

  it('refuses an id whose (ref, retailer) another order holds, and re-indexes a changed ref', () => {
    const store = new FluentStore();
    store.upsertOrder({ id: '1', ref: 'A', retailerId: '1' });
    store.upsertOrder({ id: '2', ref: 'B', retailerId: '1' });
    expect(() => store.upsertOrder({ id: '2', ref: 'A', retailerId: '1' })).toThrow(/already names order 1/);
    store.upsertOrder({ id: '2', ref: 'C', retailerId: '1' });
    expect(store.getOrder({ ref: 'B' })).toBeUndefined();
    expect(store.getOrder({ ref: 'C' })?.id).toBe('2');
    expect(store.removeOrder({ ref: 'A', retailerId: '1' })).toBe(true);
    expect(store.ordersWithRefs(['A', 'C']).map((o) => o.id)).toEqual(['2']);
  });
});
