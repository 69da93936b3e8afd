/** The CLI's Fluent client against the Fluent simulator: paging, token renewal, retries and the errors it exits on. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../../../common/index.js';
import { startFluentSim, type FluentSim } from '../../../../sim/fluent/index.js';
import { createFluentOrders, toPage, type FluentSettings } from '../../../../cli/reconcile/fluent.js';

let sim: FluentSim;
const WINDOW = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };

function settings(overrides: Partial<FluentSettings> = {}): FluentSettings {
  return { baseUrl: sim.url, ...sim.credentials, timeoutMs: 2_000, ...overrides };
}

beforeAll(async () => {
  sim = await startFluentSim();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.store.clear();
  sim.faults.reset();
  sim.stats.reset();
  sim.requests.clear();
});

describe('reconcile Fluent client', () => {
  it('pages through the window after the last edge cursor, with one token and the connector identity', async () => {
    for (let i = 0; i < 7; i++)
      sim.store.upsertOrder({ id: String(100 + i), ref: `O_${i}`, status: 'BOOKED', retailerId: '2' });
    const fluent = createFluentOrders(settings(), { correlationId: 'reconcile-test' });
    const first = await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 5 });
    const second = await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 5, after: first.lastCursor });
    expect(first.orders.map((o) => o.ref)).toEqual(['O_6', 'O_5', 'O_4', 'O_3', 'O_2']);
    expect(first.hasNextPage).toBe(true);
    expect(second.orders.map((o) => o.ref)).toEqual(['O_1', 'O_0']);
    expect(second.hasNextPage).toBe(false);
    expect(first.orders[0]).toMatchObject({ id: '106', status: 'BOOKED', type: 'HD', retailerId: '2' });
    expect(sim.stats.tokensIssued).toBe(1);
    const graphqlCalls = sim.requests.all().filter((r) => r.path === '/graphql');
    expect(graphqlCalls.every((r) => r.headers['x-correlation-id'] === 'reconcile-test')).toBe(true);
    expect(graphqlCalls[0]?.headers['user-agent']).toMatch(/^fluent-commercetools-connector\//);
  });

  it('asks Fluent for the ORDER_TYPES only when they are set', async () => {
    sim.store.upsertOrder({ ref: 'HD_1', type: 'HD' });
    sim.store.upsertOrder({ ref: 'POS_1', type: 'POS' });
    const fluent = createFluentOrders(settings());
    const typed = await fluent.page({ updatedOn: WINDOW, types: ['HD', 'CC'] }, { first: 10 });
    const all = await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 10 });
    expect(typed.orders.map((o) => o.ref)).toEqual(['HD_1']);
    expect(all.orders).toHaveLength(2);
  });

  it('takes a new token once on a 401, then reports rejected credentials as DOWNSTREAM_ACCESS_DENIED', async () => {
    const fluent = createFluentOrders(settings());
    await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 1 });
    sim.auth.revokeAll();
    await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 1 });
    expect(sim.stats.tokensIssued).toBe(2);
    const refused = createFluentOrders(settings({ password: 'wrong' }));
    const error = await refused.page({ updatedOn: WINDOW, types: [] }, { first: 1 }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_ACCESS_DENIED');
    expect(String(error)).not.toContain('wrong');
  });

  it('retries transient answers, then gives up as DOWNSTREAM_UNAVAILABLE', async () => {
    const fluent = createFluentOrders(settings(), { backoffMs: 1 });
    sim.faults.failNext(2, 503, 'graphql');
    await expect(fluent.page({ updatedOn: WINDOW, types: [] }, { first: 1 })).resolves.toMatchObject({ orders: [] });
    sim.faults.outage(true, 'status', 'graphql');
    const error = await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 1 }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_UNAVAILABLE');
    expect(String(error)).toMatch(/after 4 attempts .*HTTP 503/);
  });

  it('reports a refused query (GraphQL errors) as NON_RETRYABLE, never as a partial page', async () => {
    const fluent = createFluentOrders(settings());
    const error = await fluent.page({ updatedOn: WINDOW, types: [] }, { first: 9_999 }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('NON_RETRYABLE');
    expect(String(error)).toMatch(/first must be between 0 and 5000/);
    expect(() => toPage({ data: { orders: { edges: [] } }, errors: [{ message: 'partial' }] })).toThrow(/partial/);
  });
});
