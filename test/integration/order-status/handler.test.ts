/** The order-status handler against the Fluent and commercetools simulators (no Kafka). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  DownstreamUnavailableError,
  errorCodeOf,
  isOutage,
  isRetriable,
  NonRetryableError,
  RetryableError,
} from '../../../processor/errors.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { createOrderStatusHandler } from '../../../processor/handlers/order-status/index.js';
import { BUNDLED_FLUENT_SCHEMA_PATH } from '../../../processor/fluent/schema-file.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { mappingSettingNames, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { eventually } from '../../support/kafka.js';
import { contextFor, handlerConfig, neverRegressed, orderWebhook, silentLogger } from '../support/order-status.js';

let fluent: FluentSim;
let ct: CommercetoolsSim;
const handlers: MessageHandler[] = [];
let seq = 0;

beforeAll(async () => {
  [fluent, ct] = await Promise.all([startFluentSim({ seedMappingsFor: 'commercetools' }), startCommercetoolsSim()]);
});

afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close?.() ?? Promise.resolve()));
  await Promise.all([fluent?.close(), ct?.close()]);
});

beforeEach(() => {
  fluent.faults.reset();
  ct.faults.reset();
});

function newHandler(
  overrides: Parameters<typeof handlerConfig>[2] = {},
  extra: Partial<Parameters<typeof createOrderStatusHandler>[0]> = {},
) {
  const metrics = new Registry();
  const handler = createOrderStatusHandler({
    config: handlerConfig(fluent, ct, overrides),
    logger: silentLogger,
    metrics,
    ...extra,
  });
  handlers.push(handler);
  return { handler, metrics };
}

/** A Fluent order in `status` and its commercetools twin (orderNumber = ref) in Open. */
function newOrder(status: string, ctOrderNumber?: string) {
  const ref = `O_${Date.now().toString(36)}_${++seq}`;
  const order = fluent.store.upsertOrder({ ref, status });
  ct.store.createOrder({ orderNumber: ctOrderNumber ?? ref });
  return { id: order.id, ref: order.ref };
}

const ctOrder = (orderNumber: string) => ct.store.getOrder({ orderNumber });

describe('order-status handler with the simulators', () => {
  it('applies the mapped states with one CT read and one CT write (and a Fluent re-fetch after the read)', async () => {
    const { handler } = newHandler();
    const order = newOrder('BOOKED');
    await handler.handle(contextFor(orderWebhook(order, 'BOOKED'))); // warms tokens and settings
    const order2 = newOrder('BOOKED');
    fluent.stats.reset();
    ct.stats.reset();
    const outcome = await handler.handle(contextFor(orderWebhook(order2, 'BOOKED')));
    expect(outcome.status).toBe('applied');
    expect(ctOrder(order2.ref)).toMatchObject({
      orderState: 'Confirmed',
      paymentState: 'Paid',
      shipmentState: 'Pending',
    });
    // The order's first write in this process is at a version it never saw: Fluent is read again after the CT read,
    // so a status another member applied meanwhile is not overwritten (docs/architecture.md, "Processing semantics").
    expect(fluent.stats.graphqlRequests).toBe(2);
    expect(fluent.stats.tokenRequests).toBe(0);
    expect(ct.stats.reads).toBe(1);
    expect(ct.stats.updates).toBe(1);
    expect(ct.stats.tokenRequests).toBe(0);
  });

  it('a duplicate is skipped without a write; the next status needs no CT read (version cache)', async () => {
    const { handler } = newHandler();
    const order = newOrder('BOOKED');
    const payload = orderWebhook(order, 'BOOKED');
    expect((await handler.handle(contextFor(payload))).status).toBe('applied');
    ct.stats.reset();
    expect((await handler.handle(contextFor(payload))).status).toBe('skipped');
    expect(ct.stats.updates).toBe(0);

    fluent.store.setOrderStatus({ id: order.id }, 'COMPLETE');
    ct.stats.reset();
    expect((await handler.handle(contextFor(orderWebhook(order, 'COMPLETE')))).status).toBe('applied');
    expect(ct.stats.reads).toBe(0);
    expect(ct.stats.updates).toBe(1);
    expect(ctOrder(order.ref)).toMatchObject({
      orderState: 'Complete',
      paymentState: 'Paid',
      shipmentState: 'Shipped',
    });
  });

  it('out-of-order and late deliveries never regress: Fluent now decides, a late status only moves forward', async () => {
    const { handler } = newHandler();
    const order = newOrder('RECEIVED');
    const received = orderWebhook(order, 'RECEIVED');
    const booked = orderWebhook(order, 'BOOKED');
    fluent.store.setOrderStatus({ id: order.id }, 'COMPLETE');
    // The COMPLETE webhook is processed first; the older ones arrive late (retries).
    await handler.handle(contextFor(orderWebhook(order, 'COMPLETE')));
    // COMPLETE maps no payment state; the late BOOKED moves it forward to Paid, the late RECEIVED changes nothing.
    expect((await handler.handle(contextFor(booked, 2))).status).toBe('applied');
    expect((await handler.handle(contextFor(received, 3))).status).toBe('skipped');
    expect(ctOrder(order.ref)).toMatchObject({
      orderState: 'Complete',
      paymentState: 'Paid',
      shipmentState: 'Shipped',
    });
    const history = ct.store.history({ orderNumber: order.ref });
    expect(neverRegressed(history)).toBe(true);
    expect(history.map((h) => h.orderState)).toEqual(['Open', 'Complete', 'Complete']);
  });

  it('resolves version conflicts (concurrent writers) by re-reading', async () => {
    const { handler, metrics } = newHandler();
    const order = newOrder('BOOKED');
    ct.faults.conflictNext(2);
    expect((await handler.handle(contextFor(orderWebhook(order, 'BOOKED')))).status).toBe('applied');
    expect(ctOrder(order.ref)).toMatchObject({ orderState: 'Confirmed', paymentState: 'Paid' });
    expect(ct.faults.injected.conflict).toBeGreaterThanOrEqual(2);
    expect(await metrics.getSingleMetricAsString('fc_order_status_conflicts_total')).toMatch(/ 2$/m);
  });

  it('a conflict reported with HTTP 200 (GraphQL extensions only) is resolved the same way', async () => {
    const ct200 = await startCommercetoolsSim({ conflictHttpStatus: 200 });
    try {
      const handler = createOrderStatusHandler({ config: handlerConfig(fluent, ct200), logger: silentLogger });
      handlers.push(handler);
      const ref = `C200_${++seq}`;
      const order = fluent.store.upsertOrder({ ref, status: 'COMPLETE' });
      ct200.store.createOrder({ orderNumber: ref });
      ct200.faults.conflictNext(1);
      expect((await handler.handle(contextFor(orderWebhook({ id: order.id, ref }, 'COMPLETE')))).status).toBe(
        'applied',
      );
      expect(ct200.stats.conflicts).toBe(1);
      expect(ct200.store.getOrder({ orderNumber: ref })).toMatchObject({
        orderState: 'Complete',
        shipmentState: 'Shipped',
      });
    } finally {
      await ct200.close();
    }
  });

  it('persistent conflicts end in a RetryableError after the bound', async () => {
    const { handler } = newHandler({ conflictRetries: 1 });
    const order = newOrder('BOOKED');
    ct.faults.conflictNext(5);
    const error = await handler.handle(contextFor(orderWebhook(order, 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/ConcurrentModification persisted/);
  });

  it('a commercetools 503 storm is a retryable outage; the order is fixed once it ends', async () => {
    const { handler } = newHandler();
    const order = newOrder('BOOKED');
    await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED'))); // warm
    ct.faults.outage(true, 'status', 'graphql');
    const error = await handler.handle(contextFor(orderWebhook(order, 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect(isRetriable(error)).toBe(true);
    expect((error as DownstreamUnavailableError).service).toBe('commercetools');
    ct.faults.outage(false);
    expect((await handler.handle(contextFor(orderWebhook(order, 'BOOKED'), 2))).status).toBe('applied');
  });

  it('a single 429 or 503 is retried in place', async () => {
    const { handler } = newHandler();
    const order = newOrder('BOOKED');
    ct.faults.failNext(1, 429, 'graphql');
    fluent.faults.failNext(1, 503, 'graphql');
    expect((await handler.handle(contextFor(orderWebhook(order, 'BOOKED')))).status).toBe('applied');
  });

  it('a Fluent outage: settings are served stale; order fetches fail retryably; all is well afterwards', async () => {
    const { handler, metrics } = newHandler({ settingsCacheTtlMs: 50 });
    await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED'))); // warm settings
    await new Promise((r) => setTimeout(r, 80)); // settings now expired
    fluent.faults.outage(true, 'status', 'graphql');
    const order = newOrder('BOOKED');
    const error = await handler.handle(contextFor(orderWebhook(order, 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect((error as DownstreamUnavailableError).service).toBe('fluent');
    // The settings refresh runs beside the order fetch and falls back to the cached values when it fails.
    await eventually(
      async () => / 1$/m.test(await metrics.getSingleMetricAsString('fc_order_status_stale_settings_total')),
      5_000,
      20,
    );
    fluent.faults.outage(false);
    expect((await handler.handle(contextFor(orderWebhook(order, 'BOOKED'), 2))).status).toBe('applied');
  });

  it('refreshes a revoked token once on 401', async () => {
    const { handler } = newHandler();
    await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED')));
    fluent.auth.revokeAll();
    ct.auth.revokeAll();
    fluent.stats.reset();
    ct.stats.reset();
    expect((await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED')))).status).toBe('applied');
    expect(fluent.stats.tokenRequests).toBe(1);
    expect(ct.stats.tokenRequests).toBe(1);
  });

  it('a token that is rejected even when fresh is a downstream outage, not a DLQ reason', async () => {
    const { handler } = newHandler();
    await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED')));
    ct.faults.failNext(2, 401, 'graphql');
    const error = await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_ACCESS_DENIED');
    expect(isOutage(error)).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 401 even with a freshly issued token/);
  });

  it('a missing commercetools order is retried for the first attempts, then dead-lettered', async () => {
    const { handler } = newHandler();
    const ref = `MISSING_${++seq}`;
    const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
    const payload = orderWebhook({ id: order.id, ref }, 'BOOKED');
    const first = await handler.handle(contextFor(payload, 1)).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryableError);
    expect((first as RetryableError).code).toBe('ORDER_NOT_FOUND');
    const last = await handler.handle(contextFor(payload, 3)).catch((e: unknown) => e);
    expect(last).toBeInstanceOf(NonRetryableError);
    expect(errorCodeOf(last)).toBe('ORDER_NOT_FOUND_FINAL');
    expect((last as Error).message).toContain(`orderNumber=${ref}`);
  });

  it('an invalid mapping value is a non-retryable ConfigurationError naming setting, key and valid values', async () => {
    const names = mappingSettingNames('invalid-demo');
    fluent.store.setSetting({ name: names.paymentStatus, value: { fluent: { BOOKED: 'payed' } } });
    const { handler } = newHandler({ connectorName: 'invalid-demo' });
    const error = await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(names.paymentStatus);
    expect((error as Error).message).toContain('BOOKED');
    expect((error as Error).message).toContain('BalanceDue, Failed, Pending, CreditOwed, Paid');
  });

  it('a replaced Fluent document that the server rejects is a non-retryable configuration error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluent-override-'));
    const path = join(dir, 'order.graphql');
    writeFileSync(path, 'query Q($id: ID!) { orderById(id: $id) { id ref status customerNotes } }');
    // The start-up check validates against the schema file it is given (e.g. Fluent's full schema): one with the
    // field lets the document through, and the server, which has no such field, rejects it.
    const schemaFile = join(dir, 'fluent.graphql');
    const subset = readFileSync(BUNDLED_FLUENT_SCHEMA_PATH, 'utf8');
    writeFileSync(schemaFile, subset.replace('type Order {', 'type Order {\n  customerNotes: String'));
    const base = handlerConfig(fluent, ct);
    // Single reads: with batching on, orderById serves only the fallback of an ambiguous batch.
    const { handler } = newHandler({
      fluent: { ...base.fluent, documents: { orderById: path }, schemaFile },
      batchReads: { enabled: false, windowMs: 2, maxSize: 100 },
    });
    const error = await handler.handle(contextFor(orderWebhook(newOrder('BOOKED'), 'BOOKED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/fluent orderById: the request was rejected .*customerNotes/);
  });

  it('RETAILER settings win over ACCOUNT settings; an unmapped status changes nothing', async () => {
    const names = mappingSettingNames('retailer-demo');
    fluent.store.setSetting({ name: names.orderStatus, value: { fluent: { BOOKED: 'Open' } } });
    fluent.store.setSetting({
      name: names.orderStatus,
      context: 'RETAILER',
      contextId: 1,
      value: { fluent: { BOOKED: 'complete' } },
      legacy: true,
    });
    const { handler } = newHandler({ connectorName: 'retailer-demo' });
    const order = newOrder('BOOKED');
    expect((await handler.handle(contextFor(orderWebhook(order, 'BOOKED')))).status).toBe('applied');
    expect(ctOrder(order.ref)).toMatchObject({ orderState: 'Complete', paymentState: null, shipmentState: null });
    const other = newOrder('SOMETHING_ELSE');
    ct.stats.reset();
    expect((await handler.handle(contextFor(orderWebhook(other, 'SOMETHING_ELSE')))).status).toBe('skipped');
    expect(ct.stats.graphqlRequests).toBe(0);
  });

  it('account mapping selects the commercetools project', async () => {
    const names = mappingSettingNames('project-demo');
    fluent.store.setSetting({ name: names.orderStatus, value: { fluent: { BOOKED: 'Confirmed' } } });
    fluent.store.setSetting({
      name: names.account,
      value: { fluent: { accountId: 'ACME', retailerId: '1' }, externalAccount: { projectKey: 'acme-eu' } },
    });
    const { handler } = newHandler({ connectorName: 'project-demo' });
    const ref = `EU_${++seq}`;
    const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
    ct.store.createOrder({ orderNumber: ref }, 'acme-eu');
    expect((await handler.handle(contextFor(orderWebhook({ id: order.id, ref }, 'BOOKED')))).status).toBe('applied');
    expect(ct.store.getOrder({ orderNumber: ref }, 'acme-eu')?.orderState).toBe('Confirmed');
  });

  it('strip-prefix correlation and a fulfilment event with the order as root entity', async () => {
    const { handler } = newHandler({ correlation: { strategy: 'strip-prefix', prefix: 'HD_' } });
    const number = `${Date.now()}${++seq}`;
    const order = fluent.store.upsertOrder({ ref: `HD_${number}`, status: 'COMPLETE' });
    ct.store.createOrder({ orderNumber: number });
    const payload = orderWebhook(order, 'COMPLETE', {
      entityType: 'FULFILMENT',
      entityId: '999999',
      entityRef: 'F_1',
    });
    expect((await handler.handle(contextFor(payload))).status).toBe('applied');
    expect(ctOrder(number)).toMatchObject({ orderState: 'Complete', shipmentState: 'Shipped' });
  });

  it('the partner hook adds actions to the same single write', async () => {
    const seen: string[] = [];
    const { handler } = newHandler(
      {},
      {
        extraActions: ({ ctOrder: current, fluentOrder }) => {
          seen.push(`${fluentOrder.ref}:${current.orderState}`);
          return current.shipmentState === 'Ready' ? [] : [{ changeShipmentState: { shipmentState: 'Ready' } }];
        },
      },
    );
    const order = newOrder('CANCELLED');
    ct.stats.reset();
    expect((await handler.handle(contextFor(orderWebhook(order, 'CANCELLED')))).status).toBe('applied');
    expect(ct.stats.updates).toBe(1);
    expect(ctOrder(order.ref)).toMatchObject({ orderState: 'Cancelled', shipmentState: 'Ready' });
    expect(seen).toEqual([`${order.ref}:Open`]);
  });
});
