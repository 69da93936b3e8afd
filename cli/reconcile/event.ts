/**
 * The synthetic order-status event reconcile produces for one Fluent order (pure). It is shaped as Fluent's own
 * order-status webhook (docs/architecture.md, "Fluent"), keyed as the ingress keys webhooks and stored in the same
 * Avro record (docs/architecture.md, "Kafka contract"), so the processor handles it through the path every webhook
 * takes: the order-status handler reads the order from Fluent again and applies the status rule. Nothing of the
 * mapping lives here.
 *
 * Marked twice, for people and tools: payload `type` RECONCILIATION and the header `fc-source: reconcile`. No
 * signature: nothing was signed, and the processor never verifies one.
 *
 * The event id is deterministic, a UUID (v5 layout) of (order id, updatedOn): a resumed or overlapping run emits the
 * same id for an order that has not changed since, so logs, X-Correlation-ID and the DLQ show one event rather than
 * one per run, while any change in Fluent (a new updatedOn) gives a new id. The processor's effect is idempotent
 * either way; the id only has to say which Fluent state the event stands for.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  Headers,
  newTraceparent,
  partitionKey,
  toWebhookRecord,
  type FluentWebhookPayload,
  type FluentWebhookRecord,
} from '../../schemas/index.js';
import type { ListedOrder } from './fluent.js';

/** The order-status handler's default message name (docs/architecture.md, "Fluent"). */
export const DEFAULT_MESSAGE_NAME = 'fc.connect.order.webhook.order-status-update';
/** Payload `type` of a reconciliation event. */
export const RECONCILIATION_TYPE = 'RECONCILIATION';
/** Value of the `fc-source` header. */
export const RECONCILE_SOURCE = 'reconcile';

/** Fixed namespace of reconcile's event ids (any constant UUID would do; changing it would change every id). */
const EVENT_ID_NAMESPACE = Buffer.from('6f1c2f0e9a8b4e5d8c3b2a1908f7e6d5', 'hex');

export interface EventContext {
  /** Fluent account id (FLUENT_ACCOUNT_ID, default FLUENT_CLIENT_ID): the account mapping matches on it. */
  readonly accountId: string;
  readonly messageName: string;
}

export interface ReconcileEvent {
  readonly key: string;
  readonly payload: FluentWebhookPayload;
  readonly headers: Record<string, string>;
  readonly record: FluentWebhookRecord;
}

/** UUID v5 layout over SHA-1 of (namespace, order id, updatedOn). */
export function reconcileEventId(order: Pick<ListedOrder, 'id' | 'updatedOn'>): string {
  const hash = createHash('sha1')
    .update(EVENT_ID_NAMESPACE)
    .update(`${order.id}\u0000${order.updatedOn}`)
    .digest()
    .subarray(0, 16);
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The payload Fluent would have sent for the order's current status. */
export function reconcilePayload(order: ListedOrder, context: EventContext): FluentWebhookPayload {
  const payload: FluentWebhookPayload = {
    id: reconcileEventId(order),
    name: context.messageName,
    accountId: context.accountId,
    retailerId: order.retailerId ?? '',
    rootEntityId: order.id,
    rootEntityRef: order.ref,
    rootEntityType: 'ORDER',
    entityId: order.id,
    entityRef: order.ref,
    entityType: 'ORDER',
    type: RECONCILIATION_TYPE,
    attributes: {},
  };
  // The order's status and type when listed, as a webhook carries them (the handler re-reads the order anyway).
  if (order.status) payload.entityStatus = order.status;
  if (order.type) payload.entitySubtype = order.type;
  return payload;
}

export function reconcileEvent(order: ListedOrder, context: EventContext, now: number): ReconcileEvent {
  const payload = reconcilePayload(order, context);
  return {
    key: partitionKey(payload),
    payload,
    headers: {
      [Headers.messageName]: payload.name,
      [Headers.eventId]: payload.id,
      [Headers.receivedAt]: String(now),
      [Headers.traceparent]: newTraceparent((bytes) => randomBytes(bytes).toString('hex')),
      [Headers.source]: RECONCILE_SOURCE,
    },
    record: toWebhookRecord(payload, { rawBody: Buffer.from(JSON.stringify(payload)), receivedAt: now }),
  };
}
