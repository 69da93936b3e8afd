/**
 * Through the real broker: PROCESSOR_ROUTES sends a deployment's own message name to the built-in order-status
 * handler, which updates commercetools; every Fluent and commercetools call says who it is (User-Agent) and which
 * webhook it serves (X-Correlation-ID = the event id, which the record's outcome log line carries as `eventId`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadProcessorConfig } from '../../../processor/config.js';
import { createOrderStatusHandler } from '../../../processor/handlers/order-status/index.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import type { RecordedRequest } from '../../../sim/common/http.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { eventually } from '../../support/kafka.js';
import { encodeAll, produce, testBed, type TestBed } from '../support/processor.js';
import { handlerConfig, orderWebhook } from '../support/order-status.js';

const CUSTOM_NAME = 'acme.order.status-changed';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

let fluent: FluentSim;
let ct: CommercetoolsSim;
let bed: TestBed;
let processor: RunningProcessor;
const events: RecordEvent[] = [];
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim(),
    testBed({ partitions: 1 }),
  ]);
  const config = loadProcessorConfig(
    bed.env({
      PROCESSOR_ROUTES: `fc.connect.order.webhook.order-status-update=order-status,${CUSTOM_NAME}=order-status`,
    }),
  );
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const router = new Router();
  router.addHandler(createOrderStatusHandler({ config: handlerConfig(fluent, ct), logger }));
  for (const route of config.routes) router.route(route.messageName, route.handlerName);
  processor = await startProcessor({ config: config.runtime, router, logger });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
});

afterAll(async () => {
  await processor?.stop();
  await Promise.all([fluent?.close(), ct?.close()]);
});

it('a custom message name routed by PROCESSOR_ROUTES reaches the order-status handler and updates commercetools', async () => {
  const ref = `ROUTE_${randomUUID().slice(0, 8)}`;
  const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
  ct.store.createOrder({ orderNumber: ref });
  fluent.requests.clear();
  ct.requests.clear();
  const webhook = orderWebhook({ id: order.id, ref }, 'BOOKED', { name: CUSTOM_NAME });
  await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, [webhook]));

  await eventually(() => events.some((e) => e.eventId === webhook.id), 20_000);
  expect(events.find((e) => e.eventId === webhook.id)).toMatchObject({ outcome: 'applied', messageName: CUSTOM_NAME });
  expect(ct.store.getOrder({ orderNumber: ref })).toMatchObject({ orderState: 'Confirmed', paymentState: 'Paid' });

  // Identity headers on every call: the token calls and the settings load serve many records (a generated id); the
  // order fetch, the commercetools read and the write serve this webhook (its event id).
  const calls: RecordedRequest[] = [...fluent.requests.all(), ...ct.requests.all()];
  expect(calls.length).toBeGreaterThanOrEqual(3);
  for (const call of calls) {
    expect(call.headers['user-agent']).toBe(`fluent-commercetools-connector/${VERSION}`);
    expect(call.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  }
  const ctGraphql = ct.requests.all().filter((r) => r.path.endsWith('/graphql'));
  expect(ctGraphql.length).toBeGreaterThanOrEqual(2); // read + write
  // A batched read serving this record alone carries its event id too (several records: an id of its own).
  expect(new Set(ctGraphql.map((r) => r.headers['x-correlation-id']))).toEqual(new Set([webhook.id]));
  const fluentGraphql = fluent.requests.all().filter((r) => r.path === '/graphql');
  expect(fluentGraphql.map((r) => r.headers['x-correlation-id'])).toContain(webhook.id);

  // The outcome is logged with the same id.
  const outcome = logLines.find((l) => l['msg'] === 'record applied' && l['eventId'] === webhook.id);
  expect(outcome).toMatchObject({ messageName: CUSTOM_NAME });
});
