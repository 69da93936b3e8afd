import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mappingSettingNames, passwordGrantForm, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';

const ORDER_BY_ID = `query OrderById($id: ID!) {
  orderById(id: $id) { id ref type status createdOn updatedOn retailer { id } attributes { name type value } }
}`;
const SETTINGS = `query Settings($names: [String], $context: [String], $contextId: [Int]) {
  settings(name: $names, context: $context, contextId: $contextId, first: 50) {
    edges { node { id name valueType value lobValue context contextId } }
  }
}`;

let sim: FluentSim;
let token: string;

async function requestToken(overrides: Record<string, string> = {}) {
  return fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: passwordGrantForm(sim.credentials, overrides).toString(),
  });
}

async function gql(query: string, variables: Record<string, unknown> = {}, bearer: string | null = token) {
  const res = await fetch(`${sim.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  sim = await startFluentSim({ seed: 3 });
  token = ((await (await requestToken()).json()) as { access_token: string }).access_token;
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.store.clear();
  sim.faults.reset();
  sim.stats.reset();
});

describe('Fluent simulator: auth', () => {
  it('issues password-grant tokens', async () => {
    const res = await requestToken();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      access_token: expect.any(String),
    });
    expect(sim.stats.tokensIssued).toBe(1);
  });

  it('rejects bad client credentials (401) and bad user credentials (400 invalid_grant)', async () => {
    const badClient = await requestToken({ client_secret: 'wrong' });
    expect(badClient.status).toBe(401);
    expect(await badClient.json()).toMatchObject({ error: 'invalid_client' });
    const badUser = await requestToken({ password: 'wrong' });
    expect(badUser.status).toBe(400);
    expect(await badUser.json()).toMatchObject({ error: 'invalid_grant' });
    expect(sim.stats.tokenFailures).toBe(2);
  });

  it('requires a valid bearer token for GraphQL and honours expiry and revocation', async () => {
    expect((await gql(ORDER_BY_ID, { id: '1' }, null)).status).toBe(401);
    expect((await gql(ORDER_BY_ID, { id: '1' }, 'made-up')).body).toMatchObject({ error: 'invalid_token' });
    sim.auth.tokenTtlSeconds = 0;
    const expired = ((await (await requestToken()).json()) as { access_token: string }).access_token;
    sim.auth.tokenTtlSeconds = 3600;
    expect((await gql(ORDER_BY_ID, { id: '1' }, expired)).status).toBe(401);
    const fresh = ((await (await requestToken()).json()) as { access_token: string }).access_token;
    expect((await gql(ORDER_BY_ID, { id: '1' }, fresh)).status).toBe(200);
    sim.auth.revokeAll();
    expect((await gql(ORDER_BY_ID, { id: '1' }, fresh)).status).toBe(401);
    token = ((await (await requestToken()).json()) as { access_token: string }).access_token;
    expect(sim.stats.unauthorized).toBe(4);
  });

  it('fails the next N GraphQL requests with 401, then serves again', async () => {
    sim.faults.failNext(2, 401, 'graphql');
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(401);
    expect((await requestToken()).status).toBe(200);
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(401);
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(200);
    expect(sim.stats.faults.forced).toBe(2);
  });
});

describe('Fluent simulator: GraphQL', () => {
  it('serves orders by id and by ref with JSON attribute values', async () => {
    const o = sim.store.upsertOrder({
      id: '123',
      ref: 'O_123',
      status: 'BOOKED',
      retailerId: '1',
      attributes: [{ name: 'ctOrderNumber', type: 'JSON', value: { n: 'CT-9' } }],
    });
    const byId = await gql(ORDER_BY_ID, { id: '123' });
    expect(byId.status).toBe(200);
    expect(byId.body.data.orderById).toEqual({
      id: '123',
      ref: 'O_123',
      type: 'HD',
      status: 'BOOKED',
      createdOn: o.createdOn,
      updatedOn: o.updatedOn,
      retailer: { id: '1' },
      attributes: [{ name: 'ctOrderNumber', type: 'JSON', value: { n: 'CT-9' } }],
    });
    sim.store.setOrderStatus({ ref: 'O_123' }, 'COMPLETE');
    const byRef = await gql(`query($ref: String!) { order(ref: $ref) { id status } }`, { ref: 'O_123' });
    expect(byRef.body.data.order).toEqual({ id: '123', status: 'COMPLETE' });
    expect((await gql(ORDER_BY_ID, { id: 'nope' })).body.data.orderById).toBeNull();
    expect(sim.stats.byOperation).toEqual({ OrderById: 2, '(anonymous)': 1 });
    expect(sim.stats.byRootField).toEqual({ orderById: 2, order: 1 });
  });

  it('answers HTTP 200 with errors for invalid queries, like Fluent', async () => {
    const res = await gql(`{ orderById(id: "1") { id nosuchfield } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors[0].message).toMatch(/nosuchfield/);
    expect(res.body.data).toBeUndefined();
  });

  it('looks up settings by RETAILER then ACCOUNT context, with lobValue and legacy value', async () => {
    const names = sim.store.seedExampleMappings();
    sim.store.setSetting({
      name: names.orderStatus,
      context: 'RETAILER',
      contextId: 1,
      value: { fluent: { BOOKED: 'Complete' } },
      legacy: true,
    });
    const retailer = await gql(SETTINGS, { names: [names.orderStatus], context: ['RETAILER'], contextId: [1] });
    const [retailerNode] = retailer.body.data.settings.edges.map((e: { node: unknown }) => e.node);
    expect(retailerNode).toMatchObject({ context: 'RETAILER', contextId: 1, valueType: 'JSON', lobValue: null });
    expect(JSON.parse(retailerNode.value)).toEqual({ fluent: { BOOKED: 'Complete' } });

    const account = await gql(SETTINGS, {
      names: Object.values(names),
      context: ['ACCOUNT'],
      contextId: [0],
    });
    const byName = Object.fromEntries(
      account.body.data.settings.edges.map((e: { node: { name: string; lobValue: unknown } }) => [
        e.node.name,
        e.node.lobValue,
      ]),
    );
    expect(byName[names.orderStatus].fluent).toMatchObject({ RECEIVED: 'Open', BOOKED: 'Confirmed' });
    expect(byName[names.paymentStatus]).toEqual({
      fluent: { RECEIVED: 'pending', PENDING_PAYMENT: 'pending', BOOKED: 'paid' },
    });
    expect(byName[names.shippingStatus].fluent.COMPLETE).toBe('Shipped');
    expect(byName[names.account]).toEqual({
      fluent: { accountId: 'ACME', retailerId: '1' },
      externalAccount: { projectKey: 'my-project' },
    });
    const wildcard = await gql(SETTINGS, { names: ['fc.connect.commercetools.order.%'], context: ['ACCOUNT'] });
    expect(wildcard.body.data.settings.edges).toHaveLength(3);
  });

  it('uses the connector name as the settings prefix', () => {
    expect(mappingSettingNames('commerce-tools').orderStatus).toBe(
      'fc.connect.commerce-tools.order.order-status-mapping',
    );
  });
});

describe('Fluent simulator: faults', () => {
  it('injects errors per endpoint, latency and outages', async () => {
    sim.faults.set({ errorRate: 1, errorStatuses: [500] }, 'graphql');
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(500);
    expect((await requestToken()).status).toBe(200);
    sim.faults.reset().set({ latencyMs: 50 }, 'graphql');
    const started = Date.now();
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    sim.faults.reset().outage(true);
    expect((await gql(ORDER_BY_ID, { id: '1' })).status).toBe(503);
    expect((await requestToken()).status).toBe(503);
    expect(sim.stats.faults).toMatchObject({ error: 1, outage: 2 });
  });
});
