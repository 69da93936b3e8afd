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
