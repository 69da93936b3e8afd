/**
 * The handler with fakes: the status rule end to end, the Fluent re-read that keeps two members from moving an order
 * backwards, and a bad mapping value that blocks only its own dimension.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CommercetoolsClient, CtOrder, OrderTarget } from '../../../../../processor/commercetools/client.js';
import { OrderVersionCache } from '../../../../../processor/commercetools/version-cache.js';
import type { TtlCache } from '../../../../../processor/downstream/ttl-cache.js';
import { errorCodeOf, isRetriable, type ConnectorError } from '../../../../../processor/errors.js';
import type { FluentClient } from '../../../../../processor/fluent/client.js';
import type { HandlerContext } from '../../../../../processor/handler.js';
import { createHandler, type RetailerSettings } from '../../../../../processor/handlers/order-status/handler.js';
import { parseStatusMapping, type StatusMappings } from '../../../../../processor/handlers/order-status/mapping.js';
import { NO_METRICS } from '../../../../../processor/handlers/order-status/metrics.js';
import type { FluentWebhookPayload } from '../../../../../schemas/index.js';
import { documented } from './support/documented-mappings.js';
import { HANDLER_CONFIG } from './support/handler-config.js';
import { contextFor } from '../../../../support/handler-context.js';

const REF = 'HD_1';
type States = Pick<CtOrder, 'orderState' | 'paymentState' | 'shipmentState'>;

/** One Fluent order and one commercetools order (optimistic concurrency), shared by every "member". */
function world(fluentStatus: string, states: States) {
  const calls: string[] = [];
  let status = fluentStatus;
  let order: CtOrder = { id: 'ct-1', version: 1, orderNumber: REF, ...states };
  const history: States[] = [{ ...states }];
  let beforeNextRead: (() => void) | undefined;
  const write = (patch: Partial<States>) => {
    order = { ...order, ...patch, version: order.version + 1 };
    history.push({
      orderState: order.orderState,
      paymentState: order.paymentState,
      shipmentState: order.shipmentState,
    });
  };
  const fluent = {
    orderById: (id: string) => {
      calls.push(`fluent ${status}`);
      return Promise.resolve({ id, ref: REF, status, retailer: { id: '1' } });
    },
  } as unknown as FluentClient;
  const commercetools = {
    findOrder: () => {
      const hook = beforeNextRead;
      beforeNextRead = undefined;
      hook?.();
      calls.push(`ct read v${order.version}`);
      return Promise.resolve({ ...order });
    },
    updateOrder: (_projectKey: string, target: OrderTarget, actions: readonly Record<string, unknown>[]) => {
      if (target.version !== order.version) {
        calls.push(`ct conflict v${target.version}`);
        return Promise.resolve({ kind: 'conflict', currentVersion: order.version, message: 'ConcurrentModification' });
      }
      const patch: Record<string, unknown> = {};
      for (const action of actions) Object.assign(patch, ...Object.values(action));
      write(patch);
      calls.push(`ct write v${order.version}`);
      return Promise.resolve({ kind: 'updated', order: { ...order } });
    },
  } as unknown as CommercetoolsClient;
  return {
    fluent,
    commercetools,
    calls,
    history,
    states: (): States => ({
      orderState: order.orderState,
      paymentState: order.paymentState,
      shipmentState: order.shipmentState,
    }),
    setFluentStatus: (next: string) => (status = next),
    /** Another member's write (it read a newer Fluent status). */
    externalWrite: write,
    /** Runs `fn` right before the next commercetools read (between this member's Fluent read and its own read). */
    beforeNextRead: (fn: () => void) => (beforeNextRead = fn),
  };
}

function member(
  w: ReturnType<typeof world>,
  options: { mappings?: StatusMappings; versions?: OrderVersionCache } = {},
) {
  const settings: RetailerSettings = {
    mappings: options.mappings ?? documented,
    accountMappingName: 'account',
    accountMapping: { entries: [] },
  };
  return createHandler({
    config: HANDLER_CONFIG,
    fluent: w.fluent,
    commercetools: w.commercetools,
    settings: { get: () => Promise.resolve(settings) } as unknown as TtlCache<RetailerSettings>,
    versions: options.versions,
    metrics: NO_METRICS,
  });
}

function webhook(entityStatus: string): HandlerContext {
  const payload: FluentWebhookPayload = {
    id: randomUUID(),
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    entityId: 'f-1',
    entityRef: REF,
    entityType: 'ORDER',
    entityStatus,
    rootEntityId: 'f-1',
    rootEntityRef: REF,
    rootEntityType: 'ORDER',
    type: 'HD',
    attributes: {},
  };
  return contextFor(payload);
}

const ORDER_RANK: Record<string, number> = { Open: 0, Confirmed: 1, Complete: 2, Cancelled: 2 };
const regressed = (history: readonly States[]) =>
  history.some((h, i) => i > 0 && ORDER_RANK[h.orderState]! < ORDER_RANK[history[i - 1]!.orderState]!);

describe('two members: a Fluent status read before another member wrote a newer one is never written over it', () => {
  it('re-reads Fluent after a commercetools read at a version this member did not write (no regression)', async () => {
    const w = world('BOOKED', { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' });
    // Member A has read BOOKED from Fluent; before its commercetools read, member B applies COMPLETE.
    w.beforeNextRead(() => {
      w.setFluentStatus('COMPLETE');
      w.externalWrite({ orderState: 'Complete', shipmentState: 'Shipped' });
    });
    const outcome = await member(w).handle(webhook('BOOKED'));

    expect(regressed(w.history)).toBe(false);
    // A still contributes what its own webhook adds going forward: BOOKED → Paid.
    expect(w.states()).toEqual({ orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' });
    expect(outcome.status).toBe('applied');
    expect(w.calls).toEqual(['fluent BOOKED', 'ct read v2', 'fluent COMPLETE', 'ct write v3']);
  });

  it('after a conflict the Fluent order is fetched after the commercetools re-read, not before it', async () => {
    const w = world('BOOKED', { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' });
    const a = member(w, { versions: new OrderVersionCache(10) });
    await a.handle(webhook('BOOKED')); // A writes v2 and remembers it
    w.externalWrite({ shipmentState: 'Ready' }); // v3 by another member
    w.setFluentStatus('AWAITING_COURIER_COLLECTION');
    // A writes with its cached v2 and conflicts; before its re-read, B applies COMPLETE (v4).
    w.beforeNextRead(() => {
      w.setFluentStatus('COMPLETE');
      w.externalWrite({ orderState: 'Complete', shipmentState: 'Shipped' });
    });
    w.calls.length = 0;
    await a.handle(webhook('AWAITING_COURIER_COLLECTION'));
    expect(regressed(w.history)).toBe(false);
    expect(w.states()).toEqual({ orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' });
    expect(w.calls).toEqual(['fluent AWAITING_COURIER_COLLECTION', 'ct conflict v2', 'ct read v4', 'fluent COMPLETE']);
  });

  it('costs no extra Fluent read when nothing is to be written, or over a version this member last saw', async () => {
    const w = world('RECEIVED', { orderState: 'Open', paymentState: 'Pending', shipmentState: 'Pending' });
    const uncached = member(w);
    await uncached.handle(webhook('RECEIVED')); // nothing to write: one Fluent read
    expect(w.calls).toEqual(['fluent RECEIVED', 'ct read v1']);
    w.calls.length = 0;
    w.setFluentStatus('BOOKED');
    await uncached.handle(webhook('BOOKED')); // a write at a version it did not know: Fluent again after the read
    expect(w.calls).toEqual(['fluent BOOKED', 'ct read v1', 'fluent BOOKED', 'ct write v2']);

    const cached = member(w, { versions: new OrderVersionCache(10) });
    w.setFluentStatus('PICK_PACK');
    await cached.handle(webhook('PICK_PACK')); // nothing to write; remembers v2
    w.calls.length = 0;
    w.setFluentStatus('COMPLETE');
    await cached.handle(webhook('COMPLETE')); // writes over the version it remembers: no read, one Fluent read
    expect(w.calls).toEqual(['fluent COMPLETE', 'ct write v3']);
  });
});

describe('the status rule through the handler', () => {
  it('a late BOOKED after Fluent reached COMPLETE sets Paid; a late RECEIVED changes nothing', async () => {
    const w = world('COMPLETE', { orderState: 'Complete', paymentState: 'Pending', shipmentState: 'Shipped' });
    const a = member(w);
    expect((await a.handle(webhook('BOOKED'))).status).toBe('applied');
    expect(w.states()).toEqual({ orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' });
    expect((await a.handle(webhook('RECEIVED'))).status).toBe('skipped');
    expect((await a.handle(webhook('BOOKED'))).status).toBe('skipped'); // duplicate
    expect(w.states()).toEqual({ orderState: 'Complete', paymentState: 'Paid', shipmentState: 'Shipped' });
  });
});

describe('a bad mapping value blocks only its own dimension', () => {
  const badPayment = (): StatusMappings => ({
    ...documented,
    paymentState: parseStatusMapping('fc.connect.commercetools.order.payment-status-mapping', 'paymentState', {
      fluent: { RECEIVED: 'pending', BOOKED: 'payed' },
    }),
  });

  it('writes the valid dimensions, then fails as CONFIGURATION; a replay after the fix completes the order', async () => {
    const w = world('BOOKED', { orderState: 'Open', paymentState: 'Pending', shipmentState: null });
    let error: unknown;
    await member(w, { mappings: badPayment() })
      .handle(webhook('BOOKED'))
      .catch((e: unknown) => (error = e));
    expect(w.states()).toEqual({ orderState: 'Confirmed', paymentState: 'Pending', shipmentState: 'Pending' });
    expect(errorCodeOf(error)).toBe('CONFIGURATION');
    expect(isRetriable(error)).toBe(false);
    const message = (error as Error).message;
    expect(message).toContain('fc.connect.commercetools.order.payment-status-mapping');
    expect(message).toContain('"BOOKED"');
    expect(message).toContain('BalanceDue, Failed, Pending, CreditOwed, Paid');
    expect((error as ConnectorError).details).toMatchObject({
      problems: [{ setting: 'fc.connect.commercetools.order.payment-status-mapping', key: 'BOOKED' }],
    });

    // The operator fixes the setting and replays the dead-lettered record.
    expect((await member(w).handle(webhook('BOOKED'))).status).toBe('applied');
    expect(w.states()).toEqual({ orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Pending' });
  });

  it('fails without a commercetools call when the only mapped dimension is the bad one', async () => {
    const w = world('BOOKED', { orderState: 'Open', paymentState: 'Pending', shipmentState: null });
    const onlyPayment: StatusMappings = {
      orderState: parseStatusMapping('o', 'orderState', undefined),
      paymentState: badPayment().paymentState,
      shipmentState: parseStatusMapping('s', 'shipmentState', undefined),
    };
    const error = await member(w, { mappings: onlyPayment })
      .handle(webhook('BOOKED'))
      .catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('CONFIGURATION');
    expect(w.calls).toEqual(['fluent BOOKED']);
  });
});
