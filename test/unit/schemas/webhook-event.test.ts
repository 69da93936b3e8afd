import { describe, expect, it } from 'vitest';
import { partitionKey, toWebhookPayload, toWebhookRecord, topicNames } from '../../../schemas/index.js';

const base = {
  id: 'e1',
  name: 'fc.connect.order.webhook.order-status-update',
  accountId: 'ACME',
  retailerId: '1',
  entityId: '9',
  entityRef: 'FU_9',
  entityType: 'FULFILMENT',
};

describe('webhook record conversion', () => {
  it('keeps unknown fields and restores the payload', () => {
    const payload = { ...base, rootEntityRef: 'O_1', extra: { a: 1 }, list: [1, 2], meta: { x: null } };
    const record = toWebhookRecord(payload, { rawBody: Buffer.from('{}'), receivedAt: 5 });
    expect(JSON.parse(record.extraJson!)).toEqual({ extra: { a: 1 }, list: [1, 2] });
    expect(record.metaJson).toBe('{"x":null}');
    expect(toWebhookPayload(record)).toEqual(payload);
  });

  it('keeps optional fields sent as null (present-but-null is not the same payload as absent)', () => {
    const payload = { ...base, entityStatus: null, rootEntityRef: null, type: 'NORMAL', attributes: null };
    const record = toWebhookRecord(payload, { rawBody: Buffer.from('{}'), receivedAt: 5 });
    expect(record.entityStatus).toBeNull();
    expect(toWebhookPayload(record)).toStrictEqual(payload);
  });

  it('keeps an unknown field named __proto__ as data and never changes the payload prototype', () => {
    // A literal `__proto__:` would set the prototype, so the key goes into the JSON text as Fluent would send it.
    const raw = `${JSON.stringify(base).slice(0, -1)},"__proto__":{"entityStatus":"INJECTED"},"other":1}`;
    const payload = JSON.parse(raw) as typeof base;
    const record = toWebhookRecord(payload, { rawBody: Buffer.from(raw), receivedAt: 5 });
    expect(JSON.parse(record.extraJson!)).toStrictEqual(
      JSON.parse('{"__proto__":{"entityStatus":"INJECTED"},"other":1}'),
    );
    const restored = toWebhookPayload(record);
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
    expect(restored.entityStatus).toBeUndefined();
    expect(restored).toStrictEqual(payload);
  });

  it('uses rootEntityRef as key, else entityRef', () => {
    expect(partitionKey({ ...base, rootEntityRef: 'O_1' })).toBe('O_1');
    expect(partitionKey({ ...base, rootEntityRef: '' })).toBe('FU_9');
    expect(partitionKey(base)).toBe('FU_9');
  });

  it('derives retry and DLQ topic names from the main topic', () => {
    expect(topicNames('orders', 2)).toEqual({
      webhooks: 'orders',
      retries: ['orders.retry.1', 'orders.retry.2'],
      dlq: 'orders.dlq',
    });
  });
});
