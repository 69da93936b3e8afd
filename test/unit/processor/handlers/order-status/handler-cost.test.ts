/**
 * What a webhook costs in downstream calls: a filtered order (ORDER_TYPES / ORDER_REF_PATTERN) and an unmapped status
 * never cost a commercetools call; a filter the webhook already answers costs no Fluent call either.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CommercetoolsClient } from '../../../../../processor/commercetools/client.js';
import { TtlCache } from '../../../../../processor/downstream/ttl-cache.js';
import type { FluentClient, FluentOrder } from '../../../../../processor/fluent/client.js';
import type { HandlerContext } from '../../../../../processor/handler.js';
import { ExtraActionHooks } from '../../../../../processor/handlers/order-status/extension.js';
import { createHandler } from '../../../../../processor/handlers/order-status/handler.js';
import { createOrderStatusMetrics } from '../../../../../processor/handlers/order-status/metrics.js';
import { createOrderFilter } from '../../../../../processor/handlers/order-status/order-filter.js';
import { retailerSettings, wantedSettings } from '../../../../../processor/handlers/order-status/settings.js';
import type { FluentWebhookPayload } from '../../../../../schemas/index.js';
import { HANDLER_CONFIG } from './support/handler-config.js';
import { contextFor } from '../../../../support/handler-context.js';

const wanted = wantedSettings('commercetools');
const SETTINGS = retailerSettings(wanted, {
  orderState: { name: wanted.orderState[0] ?? '', context: 'ACCOUNT', value: { fluent: { BOOKED: 'Confirmed' } } },
});

/** Counts every method call on the commercetools client; each answers "no such order". */
function countingCommercetools() {
  const calls: string[] = [];
  const client = new Proxy(
    {},
    {
      get:
        (_target, property) =>
        (..._args: unknown[]) => {
          calls.push(String(property));
          return Promise.resolve(null);
        },
    },
  ) as unknown as CommercetoolsClient;
  return { client, calls };
}

function fakeFluent(order: FluentOrder) {
  const calls: string[] = [];
  const client = {
    orderById: (id: string) => {
      calls.push(`orderById ${id}`);
      return Promise.resolve(order);
    },
    orderByRef: (ref: string) => {
      calls.push(`orderByRef ${ref}`);
      return Promise.resolve(order);
    },
  } as unknown as FluentClient;
  return { client, calls };
}

function setup(order: FluentOrder, options: { filter?: Parameters<typeof createOrderFilter>[0]; hook?: boolean } = {}) {
  const fluent = fakeFluent(order);
  const ct = countingCommercetools();
  const registry = new Registry();
  const handler = createHandler({
    config: HANDLER_CONFIG,
    fluent: fluent.client,
    commercetools: ct.client,
    settings: new TtlCache(() => Promise.resolve(SETTINGS), { ttlMs: 60_000 }),
    metrics: createOrderStatusMetrics(registry),
    extraActions: new ExtraActionHooks(options.hook ? () => [] : undefined, undefined),
    orderFilter: createOrderFilter(options.filter),
  });
  return { handler, fluentCalls: fluent.calls, ctCalls: ct.calls, registry };
}

function context(payload: Partial<FluentWebhookPayload> = {}): HandlerContext {
  const full: FluentWebhookPayload = {
    id: 'event-1',
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    entityId: '10',
    entityRef: 'HD_10',
    entityType: 'ORDER',
    entityStatus: 'PICK_PACK',
    rootEntityType: 'ORDER',
    ...payload,
  };
  return contextFor(full);
}

const order = (over: Partial<FluentOrder> = {}): FluentOrder => ({
  id: '10',
  ref: 'HD_10',
  type: 'HD',
  status: 'PICK_PACK',
  retailer: { id: '1' },
  ...over,
});

describe('an unmapped status costs no commercetools call', () => {
  it('without a registered extension: skipped after the Fluent read, 0 commercetools calls', async () => {
    const { handler, fluentCalls, ctCalls } = setup(order());
    const outcome = await handler.handle(context());
    expect(outcome).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/not mapped/) });
    expect(fluentCalls).toEqual(['orderById 10']);
    expect(ctCalls).toEqual([]);
  });

  it('a registered extension sees every order, so the commercetools order is read', async () => {
    const { handler, ctCalls } = setup(order(), { hook: true });
    await handler.handle(context()).catch(() => undefined); // the fake has no such order
    expect(ctCalls.length).toBeGreaterThan(0);
  });
});

describe('filtered orders cost no commercetools call and are never retried', () => {
  it('by type from the webhook (entitySubtype): no Fluent call either', async () => {
    const { handler, fluentCalls, ctCalls, registry } = setup(order({ type: 'POS' }), {
      filter: { types: ['HD', 'CC'] },
    });
    const outcome = await handler.handle(context({ entitySubtype: 'POS' }));
    expect(outcome).toMatchObject({
      status: 'skipped',
      detail: 'filtered: order type POS is not in ORDER_TYPES (HD, CC)',
    });
    expect(fluentCalls).toEqual([]);
    expect(ctCalls).toEqual([]);
    expect(await registry.metrics()).toContain('fc_order_status_outcomes_total{outcome="filtered"} 1');
  });

  it('by type from the Fluent order when the webhook does not say (a fulfilment under the order)', async () => {
    const { handler, fluentCalls, ctCalls } = setup(order({ type: 'POS', status: 'BOOKED' }), {
      filter: { types: ['HD'] },
    });
    const outcome = await handler.handle(
      context({
        entityType: 'FULFILMENT',
        entityId: 'F1',
        entityRef: 'F1',
        rootEntityId: '10',
        rootEntityRef: 'HD_10',
      }),
    );
    expect(outcome).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^filtered: order type POS/) });
    expect(fluentCalls).toEqual(['orderById 10']);
    expect(ctCalls).toEqual([]);
  });

  it('by ref pattern, even for a mapped status on the last attempt (no ORDER_NOT_FOUND)', async () => {
    const { handler, fluentCalls, ctCalls } = setup(order({ ref: 'POS_10', status: 'BOOKED' }), {
      filter: { refPattern: /^(HD|CC)_/ },
    });
    const outcome = await handler.handle({ ...context({ entityRef: 'POS_10' }), attempt: 3 });
    expect(outcome).toMatchObject({
      status: 'skipped',
      detail: 'filtered: order ref POS_10 does not match ORDER_REF_PATTERN',
    });
    expect(fluentCalls).toEqual([]);
    expect(ctCalls).toEqual([]);
  });

  it('an order that passes the filter keeps the not-found retries', async () => {
    const { handler, ctCalls } = setup(order({ status: 'BOOKED' }), { filter: { types: ['HD'], refPattern: /^HD_/ } });
    await expect(handler.handle(context({ entitySubtype: 'HD', entityStatus: 'BOOKED' }))).rejects.toMatchObject({
      code: 'ORDER_NOT_FOUND',
    });
    expect(ctCalls.length).toBeGreaterThan(0);
  });
});
