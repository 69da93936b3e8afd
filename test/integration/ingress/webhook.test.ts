import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/kafka.js';
import { createWebhookSigner } from '../../../sim/signing.js';
import {
  payload,
  readRecords,
  recordCount,
  signedRequest,
  signer,
  startIngress,
  WEBHOOK,
  type Harness,
} from '../support/ingress.js';

describe('ingress webhook → Kafka (real broker + registry)', () => {
  describe('accepting', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startIngress();
    });
    afterAll(() => h.close());

    it('acknowledges a signed webhook only once it is on the topic with key, headers and Avro value', async () => {
      const event = payload({ someFutureField: { kept: [1, 2] } });
      const body = JSON.stringify(event);
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const before = Date.now();
      const response = await h.app.inject({
        ...signedRequest(body),
        headers: { ...signedRequest(body).headers, traceparent },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'accepted', id: event.id });

      const [record] = await readRecords(h.topic, 1);
      expect(record!.key).toBe(event.rootEntityRef);
      expect(record!.headers['fc-message-name']).toBe(event.name);
      expect(record!.headers['fc-event-id']).toBe(event.id);
      expect(Number(record!.headers['fc-received-at'])).toBeGreaterThanOrEqual(before);
      // Same trace, new span (the ingress is a hop of its own).
      expect(record!.headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
      expect(record!.headers.traceparent).not.toBe(traceparent);
      const value = record!.value;
      expect(value.id).toBe(event.id);
      expect(value.entityStatus).toBe('SHIPPED');
      expect(value.rawBody.toString()).toBe(body);
      expect(value.signature).toBe(signer().signSha512(body));
      expect(value.signatureAlgorithm).toBe('SHA512');
      expect(JSON.parse(value.extraJson!)).toEqual({ someFutureField: { kept: [1, 2] } });
    });

    it('answers a repeated event id with 200 and produces it once, also when both arrive together', async () => {
      const topicBefore = await recordCount(h.topic);
      const body = JSON.stringify(payload());
      const [a, b] = await Promise.all([h.app.inject(signedRequest(body)), h.app.inject(signedRequest(body))]);
      const c = await h.app.inject(signedRequest(body));
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 200, 200]);
      expect([a.json().status, b.json().status].sort()).toEqual(['accepted', 'duplicate']);
      expect(c.json().status).toBe('duplicate');
      expect(await recordCount(h.topic)).toBe(topicBefore + 1);
    });

    it('keys by entityRef when there is no rootEntityRef, generates a traceparent when none (or a bad one) is sent', async () => {
      const topicBefore = await recordCount(h.topic);
      const event = payload({ rootEntityRef: undefined });
      const body = JSON.stringify(event);
      const res = await h.app.inject({
        ...signedRequest(body),
        headers: { ...signedRequest(body).headers, traceparent: 'garbage' },
      });
      expect(res.statusCode).toBe(200);
      const records = await readRecords(h.topic, topicBefore + 1);
      const record = records.find((r) => r.value.id === event.id)!;
      expect(record.key).toBe(event.entityRef);
      expect(record.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    });

    it('reports ready and exposes metrics', async () => {
      expect((await h.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const dependencies = await h.app.inject({ method: 'GET', url: '/health/dependencies' });
      expect(dependencies.statusCode).toBe(200);
      expect(dependencies.json().checks).toEqual({ kafka: { ok: true }, registry: { ok: true } });
      expect((await h.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/fc_ingress_requests_total\{outcome="accepted"\} [1-9]/);
      expect(metrics.body).toContain('fc_ingress_produce_batch_records_bucket');
      expect(metrics.body).toContain('fc_ingress_dependency_up{dependency="registry"} 1');
    });
  });

  describe('rejecting: status, error body, and nothing produced', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startIngress({ WEBHOOK_MAX_BODY_BYTES: '2048' });
    });
    afterAll(() => h.close());

    const other = createWebhookSigner(1024);
    const cases: [string, () => { headers: Record<string, string>; payload: string }, number, string][] = [
      [
        'bad signature',
        () => ({
          payload: JSON.stringify(payload()),
          headers: { 'content-type': 'application/json', 'fluent-signature': 'bm90IGEgc2lnbmF0dXJl' },
        }),
        401,
        'INVALID_SIGNATURE',
      ],
      [
        'garbage signature',
        () => ({
          payload: JSON.stringify(payload()),
          headers: { 'content-type': 'application/json', 'fluent-signature': '%%%not base64' },
        }),
        401,
        'INVALID_SIGNATURE',
      ],
      [
        'signature by another key',
        () => {
          const b = JSON.stringify(payload());
          return { payload: b, headers: other.headers(b) };
        },
        401,
        'INVALID_SIGNATURE',
      ],
      [
        'missing signature header',
        () => ({ payload: JSON.stringify(payload()), headers: { 'content-type': 'application/json' } }),
        401,
        'MISSING_SIGNATURE',
      ],
      [
        'flex signature while flex is disabled',
        () => {
          const b = JSON.stringify(payload());
          return { payload: b, headers: { 'content-type': 'application/json', 'flex.signature': signer().signMd5(b) } };
        },
        401,
        'MISSING_SIGNATURE',
      ],
      [
        'tampered body',
        () => {
          const b = JSON.stringify(payload());
          return { payload: b.replace('SHIPPED', 'BOOKED'), headers: signer().headers(b) };
        },
        401,
        'INVALID_SIGNATURE',
      ],
      [
        'malformed JSON (validly signed)',
        () => {
          const b = '{"id":"x",';
          return { payload: b, headers: signer().headers(b) };
        },
        400,
        'INVALID_JSON',
      ],
      [
        'JSON that is not an object',
        () => {
          const b = '[1,2]';
          return { payload: b, headers: signer().headers(b) };
        },
        400,
        'INVALID_PAYLOAD',
      ],
      [
        'oversized body',
        () => {
          const b = JSON.stringify(payload({ attributes: { pad: 'x'.repeat(4096) } }));
          return { payload: b, headers: signer().headers(b) };
        },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'wrong content type',
        () => {
          const b = JSON.stringify(payload());
          return { payload: b, headers: { ...signer().headers(b), 'content-type': 'text/plain' } };
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'no content type',
        () => {
          const b = JSON.stringify(payload());
          const { 'content-type': _ct, ...rest } = signer().headers(b);
          return { payload: b, headers: rest };
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];

    const titled = cases.map(
      ([name, make, status, code]) => [`${name} → ${status} ${code}`, make, status, code] as const,
    );
    it.each(titled)('%s', async (_title, make, status, code) => {
      const request = make();
      const response = await h.app.inject({ method: 'POST', url: WEBHOOK, ...request });
      expect(response.statusCode).toBe(status);
      const body = response.json();
      expect(body.error.code).toBe(code);
      expect(response.body).not.toMatch(/\bat \S+:\d+:\d+/); // no stack traces
      expect(await recordCount(h.topic)).toBe(0);
    });

    it('names every missing and mistyped field in the 400 body', async () => {
      const { accountId: _a, entityRef: _e, ...rest } = payload();
      const b = JSON.stringify({ ...rest, retailerId: 1, entityType: null, entityStatus: { nested: true } });
      const response = await h.app.inject({ method: 'POST', url: WEBHOOK, payload: b, headers: signer().headers(b) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'MISSING_FIELDS',
        missing: ['accountId', 'entityRef', 'entityType'],
        mistyped: [
          { field: 'retailerId', expected: 'string', actual: 'number' },
          { field: 'entityStatus', expected: 'string or null', actual: 'object' },
        ],
      });
      expect(await recordCount(h.topic)).toBe(0);
    });
  });

  describe('keys and legacy signatures', () => {
    it('accepts either of two configured keys (rotation), given as PEM and as base64', async () => {
      const next = createWebhookSigner(2048);
      const h = await startIngress({
        FLUENT_WEBHOOK_PUBLIC_KEYS: `${signer().publicKeyPem.replace(/\n/g, '\\n')},${next.publicKeyBase64}`,
      });
      try {
        const oldBody = JSON.stringify(payload());
        const newBody = JSON.stringify(payload());
        expect((await h.app.inject(signedRequest(oldBody))).statusCode).toBe(200);
        const res = await h.app.inject({
          method: 'POST',
          url: WEBHOOK,
          payload: newBody,
          headers: next.headers(newBody),
        });
        expect(res.statusCode).toBe(200);
        expect(await recordCount(h.topic)).toBe(2);
      } finally {
        await h.close();
      }
    });

    it('accepts an MD5 flex.signature only when FLUENT_ACCEPT_FLEX_SIGNATURE=true, and never to rescue a bad SHA-512', async () => {
      const h = await startIngress({ FLUENT_ACCEPT_FLEX_SIGNATURE: 'true' });
      try {
        const body = JSON.stringify(payload());
        const flexOnly = { 'content-type': 'application/json', 'flex.signature': signer().signMd5(body) };
        const res = await h.app.inject({ method: 'POST', url: WEBHOOK, payload: body, headers: flexOnly });
        expect(res.statusCode).toBe(200);
        const [record] = await readRecords(h.topic, 1);
        expect(record!.value.signatureAlgorithm).toBe('MD5');

        const other = JSON.stringify(payload());
        const mixed = { ...flexOnly, 'flex.signature': signer().signMd5(other), 'fluent-signature': 'AAAA' };
        const bad = await h.app.inject({ method: 'POST', url: WEBHOOK, payload: other, headers: mixed });
        expect(bad.statusCode).toBe(401);
        expect(await recordCount(h.topic)).toBe(1);
      } finally {
        await h.close();
      }
    });
  });

  describe('shutdown', () => {
    it('completes in-flight webhooks, then answers 503 SHUTTING_DOWN with Retry-After', async () => {
      const h = await startIngress();
      const body = JSON.stringify(payload());
      const inFlight = h.app.inject(signedRequest(body));
      // Wait until that request is past the door and waiting for its Kafka ack.
      await eventually(async () => (await h.app.ingress.metrics.inFlight.get()).values[0]?.value === 1, 5_000, 1);
      h.app.ingress.beginShutdown();
      const late = await h.app.inject(signedRequest(JSON.stringify(payload())));
      expect(late.statusCode).toBe(503);
      expect(late.headers['retry-after']).toBe('5');
      expect(late.json().error.code).toBe('SHUTTING_DOWN');
      expect((await h.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
      await h.close();
      expect((await inFlight).statusCode).toBe(200);
      expect(await recordCount(h.topic)).toBe(1);
    });
  });
});
