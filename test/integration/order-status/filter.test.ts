/**
 * Orders commercetools does not have, through the real broker: with ORDER_TYPES=HD,CC and ORDER_REF_PATTERN, in-store
 * and marketplace orders are answered `skipped` (handler outcome `filtered`) on their first delivery, never retried or
 * dead-lettered, and cost no commercetools call; an order that passes the filter but is missing in commercetools keeps
 * the retry-then-DLQ behaviour (ORDER_NOT_FOUND_FINAL).
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { eventually } from '../../support/kafka.js';
import { encodeAll, produce, testBed, testLogger, type TestBed } from '../support/processor.js';
import { handlerConfig, orderWebhook } from '../support/order-status.js';

let fluent: FluentSim;
let ct: CommercetoolsSim;
let bed: TestBed;
let processor: RunningProcessor;
const metrics = new Registry();
const events: RecordEvent[] = [];

beforeAll(async () => {
  [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim(),
    testBed({ partitions: 3, retryDelays: '200ms,400ms' }),
  ]);
  const logger = testLogger();
  const router = new Router();
  const handler = createOrderStatusHandler({
    config: handlerConfig(fluent, ct, {
      orderNotFoundMaxAttempts: 2,
      orderFilter: { types: ['HD', 'CC'], refPattern: /^(HD|CC)_/ },
    }),
    logger,
    metrics,
  });
  for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
  processor = await startProcessor({ config: bed.config(), router, logger });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
});

afterAll(async () => {
  await processor?.stop();
  await Promise.all([fluent?.close(), ct?.close()]);
});

const tag = Date.now().toString(36);

/** A Fluent order (not in commercetools unless `inCommercetools`) and its BOOKED webhook. */
function order(ref: string, type: string, options: { inCommercetools?: boolean; subtype?: boolean } = {}) {
  const created = fluent.store.upsertOrder({ ref, type, status: 'BOOKED' });
  if (options.inCommercetools) ct.store.createOrder({ orderNumber: ref });
  return orderWebhook({ id: created.id, ref }, 'BOOKED', options.subtype ? { entitySubtype: type } : {});
}

/** Orders commercetools was asked for: single reads plus the keys of batched reads. */
const ordersRead = () => ct.stats.listKeys + (ct.stats.readsByField['order'] ?? 0);

const outcomesOf = (ref: string) => events.filter((e) => e.key === ref).map((e) => e.outcome);

describe('order filter through Kafka', () => {
  it('filtered orders are skipped once, without retries, DLQ or commercetools calls; others keep their semantics', async () => {
    const filtered = [
      order(`POS_${tag}_1`, 'POS', { subtype: true }), // type and ref known from the webhook
      order(`HD_${tag}_pos`, 'POS'), // type known only from the Fluent order
      order(`MKT_${tag}_1`, 'HD', { subtype: true }), // ref does not match ORDER_REF_PATTERN
    ];
    const missing = order(`HD_${tag}_missing`, 'HD', { subtype: true });
    const synced = order(`CC_${tag}_ok`, 'CC', { inCommercetools: true });
    const before = { reads: ordersRead(), updates: ct.stats.updates };
    const payloads = [...filtered, missing, synced];
    await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));

    await eventually(
      () => outcomesOf(missing.entityRef).includes('dead-lettered') && outcomesOf(synced.entityRef).length > 0,
      30_000,
    );
    for (const payload of filtered) expect(outcomesOf(payload.entityRef)).toEqual(['skipped']);
    expect(outcomesOf(synced.entityRef)).toEqual(['applied']);
    expect(ct.store.getOrder({ orderNumber: synced.entityRef })?.orderState).toBe('Confirmed');
    // The order that passes the filter but is missing in commercetools: retried, then dead-lettered.
    expect(outcomesOf(missing.entityRef)).toEqual(['retried', 'dead-lettered']);
    // commercetools was asked for the passing orders only (the missing one on each attempt, the synced one once),
    // whether alone or in a batch with others.
    expect(ordersRead() - before.reads).toBe(3);
    expect(ct.stats.updates - before.updates).toBe(1);
    const text = await metrics.metrics();
    expect(text).toContain('fc_order_status_outcomes_total{outcome="filtered"} 3');
    expect(text).toContain('fc_order_status_outcomes_total{outcome="applied"} 1');
  });
});
