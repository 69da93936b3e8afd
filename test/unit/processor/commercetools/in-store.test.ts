/**
 * A target with a store key is read through `inStore(key:)` and written with `updateOrder(storeKey:)` (the in-store
 * documents), with the store in the token's scope when the credentials are store-scoped; without one, the
 * project-wide documents. A scripted loopback server plays commercetools and records what it was sent.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommercetoolsClient } from '../../../../processor/commercetools/client.js';
import { CommercetoolsTenancy } from '../../../../processor/commercetools/credentials.js';
import { loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { syncOrder } from '../../../../processor/commercetools/orders.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';
import { ctSettings } from './support/targets.js';

const ORDER = { id: 'o1', version: 3, orderNumber: 'N_1', orderState: 'Open', paymentState: null, shipmentState: null };

let server: Server;
let base: string;
const sent: { url: string; body: string }[] = [];
const transport = new HttpTransport({ service: 'commercetools', timeoutMs: 2_000, connections: 4 });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      sent.push({ url: req.url ?? '', body });
      const query = req.url === '/oauth/token' ? '' : (JSON.parse(body) as { query: string }).query;
      const order = { ...ORDER, version: ORDER.version + (query.startsWith('mutation') ? 1 : 0) };
      const answer =
        req.url === '/oauth/token'
          ? { access_token: `t${sent.length}`, token_type: 'Bearer', expires_in: 3600 }
          : query.startsWith('mutation')
            ? { data: { search: { ...order, orderState: 'Confirmed' } } }
            : query.includes('inStore')
              ? { data: { inStore: { order } } }
              : { data: { order } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  base = await listenOnLoopback(server);
});

beforeEach(() => {
  sent.length = 0;
});

afterAll(async () => {
  await transport.close();
  await closeServer(server);
});

const tenancy = (scope: string) => new CommercetoolsTenancy(ctSettings(base, { scope }));
const client = () => new CommercetoolsClient({ transport, documents: loadCommercetoolsDocuments(), retries: 0 });

const graphqlCalls = () =>
  sent
    .filter((r) => r.url.endsWith('/graphql'))
    .map((r) => JSON.parse(r.body) as { query: string; variables: Record<string, unknown> });
const tokenScopes = () =>
  sent.filter((r) => r.url === '/oauth/token').map((r) => new URLSearchParams(r.body).get('scope'));

async function sync(target: ReturnType<ReturnType<typeof tenancy>['target']>) {
  return syncOrder({
    client: client(),
    target,
    locator: { by: 'orderNumber', value: 'N_1' },
    cacheKey: 'p/N_1',
    actionsFor: (order) => (order.orderState === 'Open' ? [{ changeOrderState: { orderState: 'Confirmed' } }] : []),
  });
}

describe('in-store orders', () => {
  it('with a store key: inStore read, updateOrder(storeKey:) write, the store in a store-scoped token', async () => {
    const target = tenancy('manage_orders:{projectKey}:{storeKey}').target('p', 'eu-store');
    const result = await sync(target);
    expect(result.kind).toBe('applied');
    const [read, write] = graphqlCalls();
    expect(read?.query).toMatch(/inStore\(key: \$storeKey\)\s*{\s*order\(orderNumber: \$orderNumber\)/);
    expect(read?.variables).toEqual({ storeKey: 'eu-store', orderNumber: 'N_1' });
    expect(write?.query).toContain('updateOrder(storeKey: $storeKey, id: $id, version: $version, actions: $actions)');
    expect(write?.variables).toMatchObject({ storeKey: 'eu-store', id: 'o1', version: 3 });
    expect(tokenScopes()).toEqual(['manage_orders:p:eu-store']);
  });

  it('by id in a store: the in-store order(id:) document', async () => {
    const target = tenancy('manage_orders:{projectKey}').target('p', 'eu-store');
    expect(await client().findOrder(target, { by: 'id', value: 'o1' })).toMatchObject({ id: 'o1', version: 3 });
    const [read] = graphqlCalls();
    expect(read?.query).toMatch(/inStore\(key: \$storeKey\)\s*{\s*order\(id: \$id\)/);
    expect(read?.variables).toEqual({ storeKey: 'eu-store', id: 'o1' });
  });

  it('without a store key: the project-wide documents, no storeKey sent', async () => {
    const result = await sync(tenancy('manage_orders:{projectKey}').target('p'));
    expect(result.kind).toBe('applied');
    const [read, write] = graphqlCalls();
    expect(read?.query).not.toContain('inStore');
    expect(read?.variables).toEqual({ orderNumber: 'N_1' });
    expect(write?.query).toContain('updateOrder(id: $id, version: $version, actions: $actions)');
    expect(write?.variables).not.toHaveProperty('storeKey');
    expect(tokenScopes()).toEqual(['manage_orders:p']);
  });

  it('a project-wide client: one token for every store of the project; a store-scoped one: a token per store', async () => {
    const wide = client();
    const project = tenancy('manage_orders:{projectKey}');
    await wide.findOrder(project.target('p', 'a'), { by: 'id', value: 'o1' });
    await wide.findOrder(project.target('p', 'b'), { by: 'id', value: 'o1' });
    expect(tokenScopes()).toEqual(['manage_orders:p']);
    sent.length = 0;
    const scoped = client();
    const stores = tenancy('manage_orders:{projectKey}:{storeKey}');
    await scoped.findOrder(stores.target('p', 'a'), { by: 'id', value: 'o1' });
    await scoped.findOrder(stores.target('p', 'b'), { by: 'id', value: 'o1' });
    expect(tokenScopes()).toEqual(['manage_orders:p:a', 'manage_orders:p:b']);
  });
});
