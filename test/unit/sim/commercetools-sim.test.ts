import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';

const UPDATE = `mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) {
  search: updateOrder(id: $id, version: $version, actions: $actions) { id version orderState paymentState shipmentState }
}`;
const READ = `query Read($orderNumber: String) {
  order(orderNumber: $orderNumber) { id version orderNumber orderState paymentState shipmentState createdAt
    lastModifiedAt totalPrice { centAmount currencyCode } lineItems { id } origin }
}`;

let sim: CommercetoolsSim;
let token: string;

async function getToken(scope = 'manage_orders:my-project', secret = sim.credentials.clientSecret) {
  const basic = Buffer.from(`${sim.credentials.clientId}:${secret}`).toString('base64');
  return fetch(`${sim.authUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
}

async function gql(query: string, variables: Record<string, unknown> = {}, project = 'my-project', bearer = token) {
  const res = await fetch(`${sim.apiUrl}/${project}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  sim = await startCommercetoolsSim({ seed: 7 });
  const res = await getToken();
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.store.clear();
  sim.faults.reset();
  sim.stats.reset();
});

describe('commercetools simulator: auth', () => {
  it('issues client-credentials tokens with the requested scope', async () => {
    const res = await getToken('manage_orders:my-project');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 172_800, scope: 'manage_orders:my-project' });
    expect(typeof body.access_token).toBe('string');
  });

  it('rejects bad client credentials like the real auth API', async () => {
    const res = await getToken('manage_orders:my-project', 'wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      statusCode: 401,
      error: 'invalid_client',
      errors: [{ code: 'invalid_client' }],
    });
  });

  it('answers 401 invalid_token without a valid bearer token, and after revocation', async () => {
    expect((await gql(READ, { orderNumber: 'x' }, 'my-project', 'nope')).status).toBe(401);
    const fresh = ((await (await getToken()).json()) as { access_token: string }).access_token;
    expect((await gql(READ, { orderNumber: 'x' }, 'my-project', fresh)).status).toBe(200);
    sim.auth.revoke(fresh);
    const denied = await gql(READ, { orderNumber: 'x' }, 'my-project', fresh);
    expect(denied.status).toBe(401);
    expect(denied.body).toMatchObject({ statusCode: 401, errors: [{ code: 'invalid_token' }] });
  });

  it('enforces the project scope (403 for another project)', async () => {
    const res = await gql(READ, { orderNumber: 'x' }, 'other-project');
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('insufficient_scope');
  });
});

describe('commercetools simulator: orders', () => {
  it('reads an order by orderNumber with the non-null fields a query may select', async () => {
    const created = sim.store.createOrder({ orderNumber: 'O_1' });
    const { status, body } = await gql(READ, { orderNumber: 'O_1' });
    expect(status).toBe(200);
    expect(body.data.order).toMatchObject({
      id: created.id,
      version: 1,
      orderNumber: 'O_1',
      orderState: 'Open',
      paymentState: null,
      shipmentState: null,
      lineItems: [],
      origin: 'Customer',
      totalPrice: { centAmount: 10_000, currencyCode: 'EUR' },
    });
    expect((await gql(READ, { orderNumber: 'missing' })).body.data.order).toBeNull();
  });

  it('applies actions, bumps the version once per update and records history', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_2' });
    const actions = [
      { changeOrderState: { orderState: 'Confirmed' } },
      { changePaymentState: { paymentState: 'Paid' } },
      { changeShipmentState: { shipmentState: 'Pending' } },
    ];
    const { status, body } = await gql(UPDATE, { id: o.id, version: 1, actions });
    expect(status).toBe(200);
    expect(body.data.search).toEqual({
      id: o.id,
      version: 2,
      orderState: 'Confirmed',
      paymentState: 'Paid',
      shipmentState: 'Pending',
    });
    const history = sim.store.history({ orderNumber: 'O_2' });
    expect(history.map((h) => [h.source, h.version, h.orderState])).toEqual([
      ['create', 1, 'Open'],
      ['update', 2, 'Confirmed'],
    ]);
    expect(sim.stats).toMatchObject({ updates: 1, updatesApplied: 1, actionsApplied: 3 });
  });

  it('rejects a wrong-case enum by schema validation (inline and as a variable)', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_3' });
    const inline = await gql(
      `mutation { updateOrder(id: "${o.id}", version: 1, actions: [{changeOrderState: {orderState: confirmed}}]) { id } }`,
    );
    expect(inline.status).toBe(400);
    expect(inline.body.errors[0].message).toMatch(/confirmed/);
    expect(inline.body.errors[0].extensions.code).toBe('InvalidInput');
    const viaVariable = await gql(UPDATE, {
      id: o.id,
      version: 1,
      actions: [{ changeOrderState: { orderState: 'confirmed' } }],
    });
    expect(viaVariable.status).toBe(400);
    expect(viaVariable.body.errors[0].message).toMatch(/OrderState/);
    expect(sim.store.getById(o.id)?.version).toBe(1);
  });

  it('answers ConcurrentModification with currentVersion and HTTP 409 on a stale version', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_4', version: 5 });
    const { status, body } = await gql(UPDATE, {
      id: o.id,
      version: 3,
      actions: [{ changeOrderState: { orderState: 'Complete' } }],
    });
    expect(status).toBe(409);
    expect(body.data).toEqual({ search: null });
    expect(body.errors[0]).toMatchObject({
      message: `Object ${o.id} has a different version than expected. Expected: 3 - Actual: 5.`,
      path: ['search'],
      extensions: { code: 'ConcurrentModification', currentVersion: 5 },
    });
    expect(sim.store.getById(o.id)?.orderState).toBe('Open');
  });

  it('answers ResourceNotFound (404) for updates of a missing order', async () => {
    const { status, body } = await gql(UPDATE, {
      id: 'nope',
      version: 1,
      actions: [{ changeOrderState: { orderState: 'Complete' } }],
    });
    expect(status).toBe(404);
    expect(body.errors[0].extensions.code).toBe('ResourceNotFound');
  });

  it('rejects unsupported actions with InvalidOperation and changes nothing', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_5' });
    const { status, body } = await gql(UPDATE, {
      id: o.id,
      version: 1,
      actions: [{ changeOrderState: { orderState: 'Complete' } }, { setLocale: { locale: 'de' } }],
    });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('InvalidOperation');
    expect(sim.store.getById(o.id)).toMatchObject({ version: 1, orderState: 'Open' });
  });

  it('serves inStore(key) { order } only for orders of that store', async () => {
    sim.store.createOrder({ orderNumber: 'O_S', storeKey: 'eu' });
    const q = `query($key: KeyReferenceInput!) { inStore(key: $key) { order(orderNumber: "O_S") { orderNumber } } }`;
    expect((await gql(q, { key: 'eu' })).body.data.inStore.order).toEqual({ orderNumber: 'O_S' });
    expect((await gql(q, { key: 'us' })).body.data.inStore.order).toBeNull();
  });

  it('rejects a string version (Long accepts integers only)', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_L' });
    const res = await gql(UPDATE, {
      id: o.id,
      version: '1',
      actions: [{ changeOrderState: { orderState: 'Complete' } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/Long/);
  });

  it('keeps projects apart', async () => {
    sim.store.createOrder({ orderNumber: 'O_6' }, 'eu-project');
    expect((await gql(READ, { orderNumber: 'O_6' })).body.data.order).toBeNull();
    expect(sim.store.getByNumber('O_6', 'eu-project')).toBeDefined();
  });
});

describe('commercetools simulator: faults', () => {
  it('forces a concurrent writer: version bumped first, then ConcurrentModification', async () => {
    const o = sim.store.createOrder({ orderNumber: 'O_7' });
    sim.faults.conflictNext(1);
    const actions = [{ changeOrderState: { orderState: 'Confirmed' } }];
    const first = await gql(UPDATE, { id: o.id, version: 1, actions });
    expect(first.status).toBe(409);
    expect(first.body.errors[0].extensions).toEqual({ code: 'ConcurrentModification', currentVersion: 2 });
    const retry = await gql(UPDATE, { id: o.id, version: 2, actions });
    expect(retry.status).toBe(200);
    expect(retry.body.data.search.version).toBe(3);
    expect(sim.store.history({ id: o.id }).map((h) => h.source)).toEqual(['create', 'external', 'update']);
    expect(sim.stats.conflicts).toBe(1);
    expect(sim.stats.faults.conflict).toBe(1);
  });

  it('injects 5xx, 429 with Retry-After, and latency', async () => {
    sim.store.createOrder({ orderNumber: 'O_8' });
    sim.faults.set({ errorRate: 1, errorStatuses: [502] }, 'graphql');
    expect((await gql(READ, { orderNumber: 'O_8' })).status).toBe(502);
    sim.faults.set({ errorRate: 0, rateLimitRate: 1, retryAfterSeconds: 3 }, 'graphql');
    const limited = await fetch(`${sim.apiUrl}/my-project/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: READ, variables: { orderNumber: 'O_8' } }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    sim.faults.reset().set({ latencyMs: 60 });
    const started = Date.now();
    expect((await gql(READ, { orderNumber: 'O_8' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(sim.stats.faults).toMatchObject({ error: 1, rateLimit: 1 });
  });

  it('holds requests without answering (timeout) and resets connections during an outage', async () => {
    sim.faults.set({ timeoutRate: 1, timeoutMs: 5_000 }, 'graphql');
    await expect(
      fetch(`${sim.apiUrl}/my-project/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: READ, variables: { orderNumber: 'x' } }),
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    sim.faults.reset().outage(true, 'reset');
    await expect(gql(READ, { orderNumber: 'x' })).rejects.toThrow();
    sim.faults.outage(false);
    expect((await gql(READ, { orderNumber: 'x' })).status).toBe(200);
  });
});
