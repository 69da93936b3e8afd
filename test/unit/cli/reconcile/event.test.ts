import { describe, expect, it } from 'vitest';
import { Headers, partitionKey, toWebhookPayload } from '../../../../schemas/index.js';
import {
  reconcileEvent,
  reconcileEventId,
  RECONCILE_SOURCE,
  RECONCILIATION_TYPE,
} from '../../../../cli/reconcile/event.js';
import type { ListedOrder } from '../../../../cli/reconcile/fluent.js';

const ORDER: ListedOrder = {
  id: '123',
  ref: 'O_123',
  type: 'HD',
  status: 'BOOKED',
  updatedOn: '2024-05-01T10:00:00.000Z',
  retailerId: '1',
};
const CONTEXT = { accountId: 'ACME', messageName: 'fc.connect.order.webhook.order-status-update' };

describe('reconcile event', () => {
  it('is shaped as Fluent order-status webhook for the order itself, marked as a reconciliation', () => {
    const event = reconcileEvent(ORDER, CONTEXT, 1_000);
    expect(event.payload).toEqual({
      id: reconcileEventId(ORDER),
      name: CONTEXT.messageName,
      accountId: 'ACME',
      retailerId: '1',
      rootEntityId: '123',
      rootEntityRef: 'O_123',
      rootEntityType: 'ORDER',
      entityId: '123',
      entityRef: 'O_123',
      entityType: 'ORDER',
      entityStatus: 'BOOKED',
      entitySubtype: 'HD',
      type: RECONCILIATION_TYPE,
      attributes: {},
    });
    expect(event.headers[Headers.source]).toBe(RECONCILE_SOURCE);
    expect(event.headers[Headers.eventId]).toBe(event.payload.id);
    expect(event.headers[Headers.messageName]).toBe(CONTEXT.messageName);
    expect(event.headers[Headers.traceparent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('is keyed exactly as the ingress keys the order’s webhooks', () => {
    const event = reconcileEvent(ORDER, CONTEXT, 1_000);
    expect(event.key).toBe('O_123');
    expect(event.key).toBe(partitionKey({ rootEntityRef: 'O_123', entityRef: 'O_123' }));
  });

  it('stores the payload in the webhook record, losslessly and unsigned', () => {
    const { record, payload } = reconcileEvent(ORDER, CONTEXT, 1_000);
    expect(toWebhookPayload(record)).toEqual(payload);
    expect(JSON.parse(record.rawBody.toString('utf8'))).toEqual(payload);
    expect(record.signature).toBeNull();
    expect(record.receivedAt).toBe(1_000);
  });

  it('has one id per (order, updatedOn): the same on every run, a new one once the order changes', () => {
    const id = reconcileEventId(ORDER);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reconcileEventId({ ...ORDER })).toBe(id);
    expect(reconcileEventId({ ...ORDER, updatedOn: '2024-05-01T10:00:00.001Z' })).not.toBe(id);
    expect(reconcileEventId({ ...ORDER, id: '124' })).not.toBe(id);
  });
});
