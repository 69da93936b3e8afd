/**
 * What the commercetools client sends: the write addressed by the variable the updateOrder document declares
 * (`$id` or `$orderNumber`), and the connector's identity headers on the token and GraphQL calls.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommercetoolsClient } from '../../../../processor/commercetools/client.js';
import { loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { errorCodeOf } from '../../../../processor/errors.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';
import { ctTarget } from './support/targets.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: Server;
let base: string;
const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const transport = new HttpTransport({ service: 'commercetools', timeoutMs: 2_000, connections: 2 });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      const answer =
        req.url === '/oauth/token'
          ? { access_token: 't', token_type: 'Bearer', expires_in: 3600 }
          : { data: { updateOrder: { id: 'o1', version: 4 } } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  base = await listenOnLoopback(server);
});

beforeEach(() => {
  received.length = 0;
});

afterAll(async () => {
  await transport.close();
  await closeServer(server);
});

const target = () => ctTarget(base);

function client(updateOrderDocument?: string) {
  let overrides = {};
  if (updateOrderDocument) {
    const path = join(mkdtempSync(join(tmpdir(), 'ct-client-')), 'update.graphql');
    writeFileSync(path, updateOrderDocument);
    overrides = { updateOrder: path };
  }
  return new CommercetoolsClient({
    transport,
    documents: loadCommercetoolsDocuments(overrides),
    retries: 0,
  });
}

const BY_NUMBER =
  'mutation ByNumber($orderNumber: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { updateOrder(orderNumber: $orderNumber, version: $version, actions: $actions) { id version } }';
const ACTIONS = [{ changeOrderState: { orderState: 'Confirmed' } }];

const sentVariables = () =>
  (JSON.parse(received.find((r) => r.url === '/p/graphql')!.body) as { variables: Record<string, unknown> }).variables;

describe('CommercetoolsClient.updateOrder addresses the order as the document declares', () => {
  it('the built-in document: by $id', async () => {
    await client().updateOrder(target(), { id: 'o1', orderNumber: 'N_1', version: 3 }, ACTIONS);
    expect(sentVariables()).toEqual({ id: 'o1', version: 3, actions: ACTIONS });
  });

  it('an override declaring $orderNumber: by the order number, no id sent', async () => {
    const result = await client(BY_NUMBER).updateOrder(target(), { id: 'o1', orderNumber: 'N_1', version: 3 }, ACTIONS);
    expect(result).toEqual({ kind: 'updated', order: { id: 'o1', version: 4 } });
    expect(sentVariables()).toEqual({ orderNumber: 'N_1', version: 3, actions: ACTIONS });
  });

  it('an order without a number cannot be addressed by it: a configuration error, nothing sent', async () => {
    const error = await client(BY_NUMBER)
      .updateOrder(target(), { id: 'o1', version: 3 }, ACTIONS)
      .catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('CONFIGURATION');
    expect((error as Error).message).toMatch(/addresses orders by \$orderNumber, but order o1 has none/);
    expect(received.filter((r) => r.url === '/p/graphql')).toEqual([]);
  });
});

describe('identity headers', () => {
  it('GraphQL calls carry the correlation id given; the token call a generated one; both the User-Agent', async () => {
    await client().findOrder(target(), { by: 'orderNumber', value: 'N_1' }, { correlationId: 'event-42' });
    const [token, query] = received;
    expect(token?.url).toBe('/oauth/token');
    expect(token?.headers['user-agent']).toBe(`fluent-commercetools-connector/${VERSION}`);
    expect(token?.headers['x-correlation-id']).toMatch(UUID);
    expect(query?.url).toBe('/p/graphql');
    expect(query?.headers['user-agent']).toBe(`fluent-commercetools-connector/${VERSION}`);
    expect(query?.headers['x-correlation-id']).toBe('event-42');
  });
});
