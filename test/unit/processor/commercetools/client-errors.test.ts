/**
 * How the commercetools client types GraphQL errors reported with HTTP 200. A permanent error (the request itself is
 * wrong, e.g. a partner's extra action) must be non-retryable: as a retryable error it would go through every retry
 * tier and, hitting every order alike, trip the runtime's failure-rate breaker — an endless pause instead of a DLQ
 * entry naming the reason. Only server-side, transient codes may be retried.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommercetoolsClient } from '../../../../processor/commercetools/client.js';
import { loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { isRetriable, NonRetryableError, RetryableError } from '../../../../processor/errors.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';
import { ctTarget } from './support/targets.js';

let server: Server;
let base: string;
/** The GraphQL body the fake commercetools answers next, always with HTTP 200. */
let answer: unknown = {};
const transport = new HttpTransport({ service: 'commercetools', timeoutMs: 2_000, connections: 2 });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/oauth/token' ? { access_token: 't', token_type: 'Bearer', expires_in: 3600 } : answer;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  base = await listenOnLoopback(server);
});

afterAll(async () => {
  await transport.close();
  await closeServer(server);
});

const target = () => ctTarget(base);

function client() {
  return new CommercetoolsClient({
    transport,
    documents: loadCommercetoolsDocuments(),
    retries: 0,
  });
}

const failedUpdate = (code: string | undefined) => ({
  data: { search: null },
  errors: [
    {
      message: `update failed (${code ?? 'no code'})`,
      path: ['search'],
      ...(code ? { extensions: { code } } : {}),
    },
  ],
});

const update = () =>
  client()
    .updateOrder(target(), { id: 'o1', version: 3 }, [{ setCustomField: { name: 'x', value: '"y"' } }])
    .catch((e: unknown) => e);

describe('commercetools GraphQL errors with HTTP 200', () => {
  it.each([
    'InvalidInput',
    'InvalidOperation',
    'RequiredField',
    'DuplicateField',
    'ReferencedResourceNotFound',
    'ExtensionUpdateActionsFailed',
    'InvalidItemShippingDetails',
  ])('%s is non-retryable and named in the message', async (code) => {
    answer = failedUpdate(code);
    const error = await update();
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(isRetriable(error)).toBe(false);
    expect((error as Error).message).toContain(code);
  });

  it.each(['General', 'OverCapacity', 'QueryTimedOut', 'ExtensionNoResponse', 'PendingOperation', undefined])(
    '%s is retryable',
    async (code) => {
      answer = failedUpdate(code);
      const error = await update();
      expect(error).toBeInstanceOf(RetryableError);
      expect(isRetriable(error)).toBe(true);
    },
  );

  it('a permanent error on the order query is non-retryable too', async () => {
    answer = {
      data: { order: null },
      errors: [{ message: 'bad', path: ['order'], extensions: { code: 'RequiredField' } }],
    };
    const error = await client()
      .findOrder(target(), { by: 'orderNumber', value: 'O_1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
  });
});
