import { describe, expect, it } from 'vitest';
import { buildApp, traceparentFor } from '../../../ingress/app.js';
import { loadIngressConfig } from '../../../ingress/config.js';
import type { OutgoingMessage, ProducerAdapter } from '../../../ingress/kafka.js';
import { createWebhookSigner } from '../../../sim/signing.js';
import type { FluentWebhookRecord } from '../../../schemas/index.js';
import { pino } from 'pino';

const signer = createWebhookSigner(1024);

function fakeProducer(fail?: Error): ProducerAdapter & { sent: OutgoingMessage[][] } {
  const sent: OutgoingMessage[][] = [];
  return {
    sent,
    connect: async () => {},
    disconnect: async () => {},
    checkTopic: async () => {},
    send: (_topic, messages) => {
      if (fail) return Promise.reject(fail);
      sent.push(messages);
      return Promise.resolve();
    },
  };
}

async function app(
  producer: ProducerAdapter,
  encode: (topic: string, record: FluentWebhookRecord) => Promise<Buffer> = () => Promise.resolve(Buffer.from('avro')),
  env: Record<string, string> = {},
) {
  const config = loadIngressConfig({
    FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
    FLUENT_ACCOUNTS: '*',
    LOG_LEVEL: 'silent',
    ...env,
  });
  return buildApp(config, {
    producer,
    serde: { encode },
    logger: pino({ level: 'silent' }),
    readinessChecks: { kafka: () => producer.checkTopic('t') },
  });
}

const body = JSON.stringify({
  id: 'e1',
  name: 'n',
  accountId: 'A',
  retailerId: '1',
  entityId: '1',
  entityRef: 'O_1',
  entityType: 'ORDER',
});

describe('buildApp error mapping (swapped producer)', () => {
  it('refuses a webhook whose record would exceed KAFKA_MAX_MESSAGE_BYTES with 413, without failing its batch mates', async () => {
    const producer = fakeProducer();
    // The encoded record is what goes to Kafka: here 2 KiB for the big webhook, 10 bytes for the others.
    const a = await app(producer, (_topic, record) => Promise.resolve(Buffer.alloc(record.id === 'big' ? 2_048 : 10)), {
      KAFKA_MAX_MESSAGE_BYTES: '1500',
    });
    const send = (id: string) => {
      const b = body.replace('"e1"', JSON.stringify(id));
      return a.inject({
        method: 'POST',
        url: '/api/v1/fluent-connect/webhook',
        payload: b,
        headers: signer.headers(b),
      });
    };
    const [big, small1, small2] = await Promise.all([send('big'), send('s1'), send('s2')]);
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('RECORD_TOO_LARGE');
    expect(big.json().error.message).toMatch(/KAFKA_MAX_MESSAGE_BYTES/);
    expect([small1.statusCode, small2.statusCode]).toEqual([200, 200]);
    expect(
      producer.sent
        .flat()
        .map((m) => m.headers['fc-event-id'])
        .sort(),
    ).toEqual(['s1', 's2']);
    // Not remembered as accepted: the same event again is refused again, not answered 200 as a duplicate.
    expect((await send('big')).statusCode).toBe(413);
    await a.close();
  });

  it('maps a failing produce to 503 KAFKA_UNAVAILABLE with Retry-After and no internals in the body', async () => {
    const a = await app(fakeProducer(new Error('secret internal detail at Broker.send (broker.js:1:1)')));
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/fluent-connect/webhook',
      payload: body,
      headers: signer.headers(body),
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({
      error: { code: 'KAFKA_UNAVAILABLE', message: 'Kafka did not acknowledge the event, retry later' },
    });
    await a.close();
  });

  it('maps a registry outage during encode to 503 REGISTRY_UNAVAILABLE', async () => {
    const { RegistryUnavailableError } = await import('../../../schemas/index.js');
    const producer = fakeProducer();
    const a = await app(producer, () => Promise.reject(new RegistryUnavailableError('down')));
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/fluent-connect/webhook',
      payload: body,
      headers: signer.headers(body),
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(producer.sent).toEqual([]);
    await a.close();
  });

  it('answers unknown routes with a JSON 404', async () => {
    const a = await app(fakeProducer());
    const res = await a.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    await a.close();
  });
});

describe('body encoding (the signature covers bytes; the record must hold exactly what they say)', () => {
  const post = (a: Awaited<ReturnType<typeof app>>, bytes: Buffer, contentType: string) =>
    a.inject({
      method: 'POST',
      url: '/api/v1/fluent-connect/webhook',
      payload: bytes,
      headers: { ...signer.headers(bytes), 'content-type': contentType },
    });
  const text = JSON.stringify({ ...JSON.parse(body), entityRef: 'O_é' });

  it('refuses a charset other than UTF-8 with 415 instead of decoding it as UTF-8', async () => {
    const producer = fakeProducer();
    const a = await app(producer);
    for (const [encoding, charset] of [
      ['utf16le', 'utf-16'],
      ['latin1', 'ISO-8859-1'],
    ] as const) {
      const res = await post(a, Buffer.from(text, encoding), `application/json; charset=${charset}`);
      expect(res.statusCode, charset).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(producer.sent).toEqual([]);
    for (const charset of ['utf-8', 'UTF8', '"utf-8"']) {
      const res = await post(a, Buffer.from(text), `application/json; charset=${charset}`);
      expect(res.statusCode, charset).toBe(200);
    }
    await a.close();
  });

  it('refuses bytes that are not valid UTF-8 with 400 instead of storing U+FFFD in the parsed fields', async () => {
    const producer = fakeProducer();
    const a = await app(producer);
    const res = await post(a, Buffer.from(text, 'latin1'), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
    expect(producer.sent).toEqual([]);
    await a.close();
  });
});

describe('readiness and dependency health', () => {
  it('keeps the pod ready while Kafka is down; reports it on /health/dependencies and the dependency gauge', async () => {
    const producer = fakeProducer();
    producer.checkTopic = () => Promise.reject(new Error('broker down'));
    const a = await app(producer);
    const ready = await a.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
    const dependencies = await a.inject({ method: 'GET', url: '/health/dependencies' });
    expect(dependencies.statusCode).toBe(503);
    expect(dependencies.headers['retry-after']).toBe('5');
    expect(dependencies.json()).toMatchObject({
      status: 'degraded',
      checks: { kafka: { ok: false, error: 'broker down' } },
    });
    const metrics = await a.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('fc_ingress_dependency_up{dependency="kafka"} 0');
    await a.close();
  });

  it('reports healthy dependencies as 1 and 200', async () => {
    const a = await app(fakeProducer());
    expect((await a.inject({ method: 'GET', url: '/health/dependencies' })).json()).toEqual({
      status: 'ok',
      ready: true,
      checks: { kafka: { ok: true } },
    });
    expect((await a.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'fc_ingress_dependency_up{dependency="kafka"} 1',
    );
    await a.close();
  });

  it('goes unready with Retry-After once shutting down (every 503 carries it)', async () => {
    const a = await app(fakeProducer());
    a.ingress.beginShutdown();
    const closing = await a.inject({ method: 'GET', url: '/health/ready' });
    expect(closing.statusCode).toBe(503);
    expect(closing.headers['retry-after']).toBe('5');
    await a.close();
  });
});

describe('traceparentFor', () => {
  it('continues a valid trace with a new span and replaces invalid ones', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    expect(traceparentFor(incoming)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    for (const bad of [
      undefined,
      'x',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    ]) {
      const tp = traceparentFor(bad);
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(tp).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });
});
