import { createPublicKey, createVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildOrderStatusEvent,
  createWebhookSender,
  ORDER_STATUS_UPDATE,
  type WebhookSender,
} from '../../../sim/fluent/index.js';

interface Received {
  body: string;
  signature: string | undefined;
  at: number;
}

let server: Server;
let url: string;
let received: Received[];
/** How the receiver answers the n-th request (0-based): a status, or 'hang' (never answers). */
let script: Array<number | 'hang'>;

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const n = received.length;
      received.push({ body, signature: req.headers['fluent-signature'] as string | undefined, at: Date.now() });
      const action = script[n] ?? 200;
      if (action === 'hang') return;
      res.writeHead(action, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/fluent-connect/webhook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received = [];
  script = [];
});

function verify(sender: WebhookSender, r: Received): boolean {
  const key = createPublicKey({ key: Buffer.from(sender.publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  return createVerify('sha512')
    .update(r.body)
    .verify(key, r.signature ?? '', 'base64');
}

describe('Fluent webhook sender', () => {
  it('builds the documented payload shape', () => {
    const event = buildOrderStatusEvent({ orderId: '123', orderRef: 'O_123', status: 'SHIPPED' });
    expect(event).toMatchObject({
      name: ORDER_STATUS_UPDATE,
      accountId: 'ACME',
      retailerId: '1',
      rootEntityId: '123',
      rootEntityRef: 'O_123',
      rootEntityType: 'ORDER',
      entityId: '123',
      entityRef: 'O_123',
      entityType: 'ORDER',
      entityStatus: 'SHIPPED',
      attributes: {},
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('signs the raw body with SHA-512 and delivers once on 200', async () => {
    const sender = createWebhookSender({ url });
    const result = await sender.sendOrderStatus({ orderId: '1', orderRef: 'O_1', status: 'BOOKED' });
    expect(result).toMatchObject({ delivered: true, status: 200, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(verify(sender, received[0]!)).toBe(true);
    expect(JSON.parse(received[0]!.body).id).toBe(result.eventId);
  });

  it('retries the same event (same bytes, same id) on errors and timeouts, with scaled delays', async () => {
    script = [503, 'hang', 200];
    const sender = createWebhookSender({ url, delayScale: 0.05, timeoutMs: 150 });
    const result = await sender.sendOrderStatus({ orderId: '2', orderRef: 'O_2', status: 'COMPLETE' });
    expect(result.delivered).toBe(true);
    expect(result.attempts).toBe(3);
    expect(result.attemptResults[0]!.status).toBe(503);
    expect(result.attemptResults[1]!.error).toMatch(/timeout/i);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(received[2]!.body).id).toBe(result.eventId);
    // 2 s and 4 s scaled by 0.05 → at least 100 ms and 200 ms between attempts (plus the 150 ms timeout).
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(90);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(190 + 140);
  });

  it('gives up after 4 attempts, or after one when retries are off', async () => {
    script = [500, 500, 500, 500, 500];
    const sender = createWebhookSender({ url, delayScale: 0.001 });
    const result = await sender.sendOrderStatus({ orderId: '3', orderRef: 'O_3', status: 'BOOKED' });
    expect(result).toMatchObject({ delivered: false, status: 500, attempts: 4 });
    received = [];
    script = [500];
    const once = await sender.sendOrderStatus({ orderId: '3', orderRef: 'O_3', status: 'BOOKED' }, { retry: false });
    expect(once).toMatchObject({ delivered: false, attempts: 1 });
    expect(received).toHaveLength(1);
  });
});
