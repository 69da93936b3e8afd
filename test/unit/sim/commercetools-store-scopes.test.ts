/**
 * Store-scoped API clients in the commercetools simulator: the token endpoint grants `{permission}:{project}:{store}`
 * only for the client's stores, and such a token may use only `inStore(key: <its store>)` and
 * `updateOrder(storeKey: <its store>)`; anything project-wide or another store's key is HTTP 403 insufficient_scope.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';

const EU_CLIENT = { clientId: 'eu-client', clientSecret: 'eu-secret', projectKeys: ['my-project'], storeKeys: ['eu'] };
const ANY_CLIENT = { clientId: 'any-client', clientSecret: 'any-secret' };

const IN_STORE_ORDER = `query InStoreOrder($key: KeyReferenceInput!, $orderNumber: String) {
  inStore(key: $key) { order(orderNumber: $orderNumber) { id version orderNumber } }
}`;
const IN_STORE_ORDERS = `query InStoreOrders($key: KeyReferenceInput!) {
  inStore(key: $key) { orders(where: "orderNumber in (\\"EU_1\\", \\"US_1\\")") { total results { orderNumber } } }
}`;
const UPDATE_IN_STORE = `mutation Update($storeKey: KeyReferenceInput, $orderNumber: String, $version: Long!) {
  updateOrder(storeKey: $storeKey, orderNumber: $orderNumber, version: $version,
    actions: [{ changeOrderState: { orderState: Confirmed } }]) { version orderState }
}`;

let sim: CommercetoolsSim;

async function requestToken(client: { clientId: string; clientSecret: string }, scope?: string) {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const res = await fetch(`${sim.authUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

async function tokenFor(client: { clientId: string; clientSecret: string }, scope: string): Promise<string> {
  const { status, body } = await requestToken(client, scope);
  expect(status).toBe(200);
  return body.access_token as string;
}

async function gql(bearer: string, query: string, variables: Record<string, unknown> = {}, project = 'my-project') {
  const res = await fetch(`${sim.apiUrl}/${project}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

function expectForbidden(res: { status: number; body: unknown }, missing: string) {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({
    statusCode: 403,
    error: 'insufficient_scope',
    errors: [{ code: 'insufficient_scope' }],
  });
  expect((res.body as { message: string }).message).toBe(
    `Insufficient scope. One of the following scopes is missing: ${missing}`,
  );
}

const PROJECT_READ_MISSING = 'manage_orders:my-project, view_orders:my-project, manage_project:my-project';
const PROJECT_WRITE_MISSING = 'manage_orders:my-project, manage_project:my-project';

beforeAll(async () => {
  sim = await startCommercetoolsSim({
    clients: [{ clientId: 'sim-ct-client', clientSecret: 'x' }, EU_CLIENT, ANY_CLIENT],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.store.clear();
  sim.stats.reset();
  sim.store.createOrder({ orderNumber: 'EU_1', storeKey: 'eu' });
  sim.store.createOrder({ orderNumber: 'US_1', storeKey: 'us' });
  sim.store.createOrder({ orderNumber: 'PLAIN_1' });
});

describe('token endpoint: store scopes', () => {
  it('grants a store-scoped client its own store’s scopes, and those by default', async () => {
    const manage = await requestToken(EU_CLIENT, 'manage_orders:my-project:eu');
    expect(manage.status).toBe(200);
    expect(manage.body.scope).toBe('manage_orders:my-project:eu');
    const both = await requestToken(EU_CLIENT, 'view_orders:my-project:eu manage_orders:my-project:eu');
    expect(both.body.scope).toBe('view_orders:my-project:eu manage_orders:my-project:eu');
    const byDefault = await requestToken(EU_CLIENT);
    expect(byDefault.body.scope).toBe('manage_orders:my-project:eu');
  });

  it.each([
    ['another store', 'manage_orders:my-project:us'],
    ['a project-wide scope', 'manage_orders:my-project'],
    ['another project', 'manage_orders:other-project:eu'],
    ['one bad scope among good ones', 'view_orders:my-project:eu manage_orders:my-project:us'],
  ])('refuses a store-scoped client %s with invalid_scope', async (_, scope) => {
    const { status, body } = await requestToken(EU_CLIENT, scope);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_scope', errors: [{ code: 'invalid_scope' }] });
    expect(sim.stats.tokensIssued).toBe(0);
  });

  it('grants a client without store limits any store’s scope', async () => {
    const { status, body } = await requestToken(ANY_CLIENT, 'manage_orders:my-project:us');
    expect(status).toBe(200);
    expect(body.scope).toBe('manage_orders:my-project:us');
  });
});

describe('GraphQL with a manage_orders:{project}:{store} token', () => {
  let eu: string;
  beforeAll(async () => {
    eu = await tokenFor(EU_CLIENT, 'manage_orders:my-project:eu');
  });

  it('reads its store’s orders through inStore (key as a variable or a literal)', async () => {
    const one = await gql(eu, IN_STORE_ORDER, { key: 'eu', orderNumber: 'EU_1' });
    expect(one.status).toBe(200);
    expect(one.body.data.inStore.order).toMatchObject({ orderNumber: 'EU_1', version: 1 });
    const literal = await gql(eu, `{ inStore(key: "eu") { order(orderNumber: "EU_1") { orderNumber } } }`);
    expect(literal.body.data.inStore.order).toEqual({ orderNumber: 'EU_1' });
    const list = await gql(eu, IN_STORE_ORDERS, { key: 'eu' });
    expect(list.body.data.inStore.orders).toEqual({ total: 1, results: [{ orderNumber: 'EU_1' }] });
  });

  it('does not find an order outside its store through inStore', async () => {
    const read = await gql(eu, IN_STORE_ORDER, { key: 'eu', orderNumber: 'US_1' });
    expect(read.status).toBe(200);
    expect(read.body.data.inStore.order).toBeNull();
    const write = await gql(eu, UPDATE_IN_STORE, { storeKey: 'eu', orderNumber: 'US_1', version: 1 });
    expect(write.status).toBe(404);
    expect(write.body.errors[0].extensions.code).toBe('ResourceNotFound');
    expect(sim.store.getByNumber('US_1')).toMatchObject({ version: 1, orderState: 'Open' });
  });

  it('updates its store’s order with updateOrder(storeKey)', async () => {
    const res = await gql(eu, UPDATE_IN_STORE, { storeKey: 'eu', orderNumber: 'EU_1', version: 1 });
    expect(res.status).toBe(200);
    expect(res.body.data.updateOrder).toEqual({ version: 2, orderState: 'Confirmed' });
  });

  it('is refused project-wide reads (order, orders), with or without an alias or fragment', async () => {
    expectForbidden(await gql(eu, `{ order(orderNumber: "EU_1") { id } }`), PROJECT_READ_MISSING);
    expectForbidden(await gql(eu, `{ orders { total } }`), PROJECT_READ_MISSING);
    expectForbidden(await gql(eu, `{ mine: order(orderNumber: "EU_1") { id } }`), PROJECT_READ_MISSING);
    const viaFragment = `query { ...Hidden } fragment Hidden on Query { order(orderNumber: "EU_1") { id } }`;
    expectForbidden(await gql(eu, viaFragment), PROJECT_READ_MISSING);
    const mixed = `{ inStore(key: "eu") { order(orderNumber: "EU_1") { id } } order(orderNumber: "EU_1") { id } }`;
    expectForbidden(await gql(eu, mixed), PROJECT_READ_MISSING);
    expect(sim.stats.reads).toBe(0);
    expect(sim.stats.forbidden).toBe(5);
  });

  it('is refused another store (literal, variable, variable default, inStores)', async () => {
    expectForbidden(await gql(eu, IN_STORE_ORDER, { key: 'us', orderNumber: 'US_1' }), storeMissing('us'));
    expectForbidden(await gql(eu, `{ inStore(key: "us") { orders { total } } }`), storeMissing('us'));
    const byDefault = `query($key: KeyReferenceInput! = "us") { inStore(key: $key) { orders { total } } }`;
    expectForbidden(await gql(eu, byDefault), storeMissing('us'));
    const several = `{ inStores(keys: ["eu", "us"]) { orders { total } } }`;
    expectForbidden(await gql(eu, several), storeMissing('us'));
    expect(sim.stats.reads).toBe(0);
  });

  it('is refused updateOrder without its storeKey, or with another store’s', async () => {
    expectForbidden(
      await gql(eu, UPDATE_IN_STORE, { storeKey: null, orderNumber: 'EU_1', version: 1 }),
      PROJECT_WRITE_MISSING,
    );
    expectForbidden(await gql(eu, UPDATE_IN_STORE, { orderNumber: 'EU_1', version: 1 }), PROJECT_WRITE_MISSING);
    expectForbidden(
      await gql(eu, UPDATE_IN_STORE, { storeKey: 'us', orderNumber: 'US_1', version: 1 }),
      'manage_orders:my-project:us',
    );
    expect(sim.stats.updates).toBe(0);
    expect(sim.store.listOrders().map((o) => o.version)).toEqual([1, 1, 1]);
  });

  it('is refused on another project', async () => {
    expectForbidden(
      await gql(eu, IN_STORE_ORDER, { key: 'eu', orderNumber: 'EU_1' }, 'other-project'),
      'manage_orders:other-project, view_orders:other-project, manage_project:other-project',
    );
  });
});

describe('GraphQL with a view_orders:{project}:{store} token', () => {
  it('reads in its store but may not write there', async () => {
    const view = await tokenFor(EU_CLIENT, 'view_orders:my-project:eu');
    const read = await gql(view, IN_STORE_ORDER, { key: 'eu', orderNumber: 'EU_1' });
    expect(read.body.data.inStore.order).toMatchObject({ orderNumber: 'EU_1' });
    expectForbidden(
      await gql(view, UPDATE_IN_STORE, { storeKey: 'eu', orderNumber: 'EU_1', version: 1 }),
      'manage_orders:my-project:eu',
    );
  });
});

describe('project-wide tokens', () => {
  it('use every store and project-wide field; a view_orders token reads but may not write', async () => {
    const manage = await tokenFor(ANY_CLIENT, 'manage_orders:my-project');
    expect((await gql(manage, IN_STORE_ORDER, { key: 'us', orderNumber: 'US_1' })).status).toBe(200);
    expect((await gql(manage, `{ orders { total } }`)).body.data.orders.total).toBe(3);
    const update = await gql(manage, UPDATE_IN_STORE, { storeKey: 'us', orderNumber: 'US_1', version: 1 });
    expect(update.body.data.updateOrder.version).toBe(2);

    const view = await tokenFor(ANY_CLIENT, 'view_orders:my-project');
    expect((await gql(view, `{ orders { total } }`)).status).toBe(200);
    expect((await gql(view, IN_STORE_ORDER, { key: 'eu', orderNumber: 'EU_1' })).status).toBe(200);
    expectForbidden(
      await gql(view, UPDATE_IN_STORE, { storeKey: 'eu', orderNumber: 'EU_1', version: 1 }),
      'manage_orders:my-project:eu',
    );
    expectForbidden(await gql(view, UPDATE_IN_STORE, { orderNumber: 'EU_1', version: 1 }), PROJECT_WRITE_MISSING);
  });
});

function storeMissing(store: string): string {
  return `manage_orders:my-project:${store}, view_orders:my-project:${store}`;
}
