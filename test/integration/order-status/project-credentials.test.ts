/**
 * Credentials per commercetools project through the real broker
 * (docs/configuration.md, "commercetools credentials per project"): each project has its own API client limited to
 * it (the simulator refuses a token for any other project), a store-scoped client reaches its store's orders only
 * through inStore / updateOrder(storeKey), and a retailer mapped to a project without credentials is dead-lettered
 * with the project named — the others keep going, nothing pauses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { mappingSettingNames, startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { eventually } from '../../support/kafka.js';
import { encodeAll, header, produce, readTopic, testBed, testLogger, type TestBed } from '../support/processor.js';
import { handlerConfig, orderWebhook } from '../support/order-status.js';

const CLIENTS = {
  eu: { clientId: 'eu-client', clientSecret: 'eu-secret', projectKeys: ['acme-eu'] },
  us: { clientId: 'us-client', clientSecret: 'us-secret', projectKeys: ['acme-us'] },
  shops: { clientId: 'shops-client', clientSecret: 'shops-secret', projectKeys: ['acme-shops'], storeKeys: ['shop-1'] },
};

/** Retailer → the account mapping's externalAccount. */
const RETAILERS: Record<string, Record<string, string>> = {
  '1': { projectKey: 'acme-eu' },
  '2': { projectKey: 'acme-us' },
  '3': { projectKey: 'acme-missing' },
  '4': { projectKey: 'acme-shops' },
  // A project-wide client, the mapping names the store: in-store reads and writes all the same.
  '5': { projectKey: 'acme-us', storeKey: 'us-store' },
};

let fluent: FluentSim;
let ct: CommercetoolsSim;
let bed: TestBed;
let processor: RunningProcessor;
const events: RecordEvent[] = [];
let pauses = 0;

beforeAll(async () => {
  [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim({ clients: Object.values(CLIENTS), defaultProjectKey: 'acme-eu' }),
    testBed({ partitions: 1, retryDelays: '200ms' }),
  ]);
  const names = mappingSettingNames('commercetools');
  for (const [retailerId, externalAccount] of Object.entries(RETAILERS)) {
    fluent.store.setSetting({
      name: names.account,
      context: 'RETAILER',
      contextId: Number(retailerId),
      value: { fluent: { accountId: 'ACME', retailerId }, externalAccount },
    });
  }
  const base = handlerConfig(fluent, ct);
  const { eu, us, shops } = CLIENTS;
  const config = handlerConfig(fluent, ct, {
    // No CT_CLIENT_ID: only the projects set (as CT_PROJECTS_FILE would give it).
    commercetools: {
      ...base.commercetools,
      clientId: undefined,
      clientSecret: undefined,
      projectKey: 'acme-eu',
      projects: {
        'acme-eu': { clientId: eu.clientId, clientSecret: eu.clientSecret },
        'acme-us': { clientId: us.clientId, clientSecret: us.clientSecret },
        'acme-shops': {
          clientId: shops.clientId,
          clientSecret: shops.clientSecret,
          scope: 'manage_orders:{projectKey}:{storeKey}',
          storeKey: 'shop-1',
        },
      },
    },
  });
  const logger = testLogger();
  const router = new Router();
  const handler = createOrderStatusHandler({ config, logger });
  for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
  processor = await startProcessor({ config: bed.config({ OUTAGE_MIN_FAILURES: '1' }), router, logger });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
  processor.events.on('paused', () => pauses++);
});

afterAll(async () => {
  await processor?.stop();
  await Promise.all([fluent?.close(), ct?.close()]);
});

describe('commercetools credentials per project', () => {
  it('each retailer is written with its project’s own API client; a project without credentials is dead-lettered', async () => {
    const orders = Object.entries(RETAILERS).map(([retailerId, { projectKey, storeKey }]) => {
      const ref = `PC_${retailerId}_${Date.now().toString(36)}`;
      const order = fluent.store.upsertOrder({ ref, status: 'BOOKED', retailerId });
      if (projectKey !== 'acme-missing')
        ct.store.createOrder(
          { orderNumber: ref, storeKey: storeKey ?? (projectKey === 'acme-shops' ? 'shop-1' : null) },
          projectKey,
        );
      return { retailerId, projectKey, ref, payload: orderWebhook({ id: order.id, ref }, 'BOOKED', { retailerId }) };
    });
    await produce(
      bed.topics.webhooks,
      await encodeAll(
        bed.topics.webhooks,
        orders.map((o) => o.payload),
      ),
    );
    await eventually(() => events.length >= orders.length, 20_000);

    const outcome = (ref: string) => events.find((e) => e.key === ref)?.outcome;
    for (const { projectKey, ref } of orders.filter((o) => o.projectKey !== 'acme-missing')) {
      expect(outcome(ref), ref).toBe('applied');
      expect(ct.store.getOrder({ orderNumber: ref }, projectKey)?.orderState).toBe('Confirmed');
    }
    const missing = orders.find((o) => o.projectKey === 'acme-missing')!;
    expect(outcome(missing.ref)).toBe('dead-lettered');
    const [dead] = await readTopic(bed.topics.dlq, 1);
    expect(header(dead!, 'fc-error-class')).toBe('CONFIGURATION');
    expect(header(dead!, 'fc-error-message')).toContain('no commercetools credentials for project "acme-missing"');
    expect(pauses).toBe(0);
    // The store-scoped client could only have written through the in-store fields (the simulator refuses it the rest).
    expect(ct.stats.forbidden).toBe(0);
    expect(ct.stats.byRootField['inStore']).toBeGreaterThanOrEqual(2);
  });

  it('an order of another store is not reached through a store-scoped client', async () => {
    const ref = `PC_other_store_${Date.now().toString(36)}`;
    const order = fluent.store.upsertOrder({ ref, status: 'BOOKED', retailerId: '4' });
    ct.store.createOrder({ orderNumber: ref, storeKey: 'shop-2' }, 'acme-shops');
    const before = events.length;
    await produce(
      bed.topics.webhooks,
      await encodeAll(bed.topics.webhooks, [orderWebhook({ id: order.id, ref }, 'BOOKED', { retailerId: '4' })]),
    );
    await eventually(() => events.slice(before).some((e) => e.key === ref), 20_000);
    // Not found in shop-1: retried as a missing order, never written.
    expect(events.slice(before).find((e) => e.key === ref)?.outcome).toBe('retried');
    expect(ct.store.getOrder({ orderNumber: ref }, 'acme-shops')?.orderState).toBe('Open');
  });
});
