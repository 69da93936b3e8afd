/** The pooled fetch the client libraries use: identity headers, error typing; in-place retries (loopback server). */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ConnectorError,
  DownstreamUnavailableError,
  NonRetryableError,
  RetryableError,
} from '../../../../processor/errors.js';
import { AccessDeniedError, isTransient } from '../../../../processor/downstream/errors.js';
import { HttpTransport, withInPlaceRetries } from '../../../../processor/downstream/http.js';

let server: Server;
let base: string;
const transport = new HttpTransport({ service: 'fluent', timeoutMs: 300, connections: 4 });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/hang')) return; // never answers
    if (req.url === '/echo') {
      const identity = { ua: req.headers['user-agent'], id: req.headers['x-correlation-id'] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(identity));
      return;
    }
    const status = Number(req.url?.slice(1)) || 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('HttpTransport.fetch', () => {
  it('every request says who sends it: User-Agent with the package version, X-Correlation-ID', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const given = await transport.fetch(`${base}/echo`, { headers: new Headers({ 'X-Correlation-ID': 'event-1' }) });
    expect(await given.json()).toEqual({ ua: `fluent-commercetools-connector/${version}`, id: 'event-1' });
    expect(given.headers.get('Content-Type')).toBe('application/json');
    // A library's own User-Agent (ts-client sets one) cannot replace the connector's.
    const generated = await transport.fetch(`${base}/echo`, { headers: { 'User-Agent': 'sdk/1' } });
    const sent = JSON.parse(await generated.text()) as { ua: string; id: string };
    expect(sent.ua).toBe(`fluent-commercetools-connector/${version}`);
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [502, DownstreamUnavailableError],
    [503, DownstreamUnavailableError],
    [504, DownstreamUnavailableError],
    [408, RetryableError],
    [429, RetryableError],
    [500, RetryableError],
  ])('HTTP %i → %s (transient)', async (status, type) => {
    const res = await transport.fetch(`${base}/${status}`);
    expect(res.ok).toBe(false);
    const error = transport.statusError(res.status, 'probe', await res.text());
    expect(error).toBeInstanceOf(type);
    expect(isTransient(error)).toBe(true);
  });

  it.each([200, 400, 404, 409])('HTTP %i is left to the caller', async (status) => {
    const res = await transport.fetch(`${base}/${status}`);
    expect(transport.statusError(res.status, 'probe', await res.text())).toBeUndefined();
  });

  it('a hanging call times out as a transient RetryableError', async () => {
    const error = await transport.fetch(`${base}/hang?secret=1`, { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).not.toBeInstanceOf(DownstreamUnavailableError);
    expect((error as Error).message).toMatch(/^fluent POST \/hang: timed out after 300 ms$/);
    expect(isTransient(error)).toBe(true);
  });

  it('connection refused is a downstream outage', async () => {
    const error = await transport.fetch('http://127.0.0.1:1/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect((error as Error).message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  });

  it('an aborted caller signal stops before sending', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(transport.fetch(`${base}/200`, { signal: controller.signal })).rejects.toThrowError(
      /aborted \(shutting down\)/,
    );
  });
});

describe('withInPlaceRetries', () => {
  const transient = () => new RetryableError('blip');

  it('retries transient failures up to the bound, then rethrows', async () => {
    const fn = vi.fn(() => Promise.reject(transient()));
    await expect(withInPlaceRetries(fn, { retries: 2, backoffMs: () => 0 })).rejects.toThrowError('blip');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('succeeds after a transient failure', async () => {
    let calls = 0;
    const result = await withInPlaceRetries(
      () => (++calls === 1 ? Promise.reject(transient()) : Promise.resolve('ok')),
      { backoffMs: () => 0 },
    );
    expect(result).toBe('ok');
  });

  it('retries an outage sign from the transport (e.g. 503) in place', async () => {
    const fn = vi.fn(() =>
      fn.mock.calls.length === 1
        ? Promise.reject(new DownstreamUnavailableError('fluent', 'HTTP 503'))
        : Promise.resolve('ok'),
    );
    expect(await withInPlaceRetries(fn, { backoffMs: () => 0 })).toBe('ok');
  });

  it('does not retry once the caller signal is aborted', async () => {
    const controller = new AbortController();
    const fn = vi.fn(() => {
      controller.abort();
      return Promise.reject(transient());
    });
    await expect(withInPlaceRetries(fn, { signal: controller.signal, backoffMs: () => 0 })).rejects.toThrow('blip');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it.each<[string, Error]>([
    ['non-retryable', new NonRetryableError('bad request')],
    ['access-denied (credentials rejected: retriable, but not at once)', new AccessDeniedError('fluent', 'denied')],
    ['retriable but not transient', new ConnectorError('ORDER_NOT_FOUND', 'not there yet')],
    ['untyped', new Error('bug')],
  ])('does not retry %s errors', async (_label, error) => {
    const fn = vi.fn(() => Promise.reject(error));
    await expect(withInPlaceRetries(fn, { backoffMs: () => 0 })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
