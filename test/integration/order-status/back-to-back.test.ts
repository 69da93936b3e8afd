/**
 * Through the real broker: Fluent has already moved 200 orders along their whole path when their webhooks arrive, all
 * statuses back to back (a backlog, a restart, a retry tier). The status rule makes the result independent of that
 * timing: every order ends in exactly the states the rule gives for its path (sim/scenario.ts), e.g. a COMPLETE order
 * that passed BOOKED ends Complete / Paid / Shipped, and nothing is dead-lettered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluentWebhookPayload } from '../../../schemas/index.js';
import { Router } from '../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../processor/runtime.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../sim/fluent/index.js';
import { buildScenarios, expectedFinalStates, mismatches, type OrderScenario } from '../../../sim/scenario.js';
import { eventually } from '../../support/kafka.js';
import { encodeAll, produce, testBed, testLogger, type TestBed } from '../support/processor.js';
import { handlerConfig, neverRegressed, orderWebhook } from '../support/order-status.js';

const ORDERS = 200;
const SEED = 15;

let fluent: FluentSim;
let ct: CommercetoolsSim;
let bed: TestBed;
let processor: RunningProcessor;
const events: RecordEvent[] = [];

beforeAll(async () => {
  [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim(),
    testBed({ partitions: 4, retryDelays: '200ms,400ms,800ms' }),
  ]);
  const logger = testLogger();
  const router = new Router();
  const handler = createOrderStatusHandler({ config: handlerConfig(fluent, ct), logger });
  for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
  processor = await startProcessor({ config: bed.config({ PROCESSOR_CONCURRENCY: '32' }), router, logger });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
});

afterAll(async () => {
  await processor?.stop();
  await Promise.all([fluent?.close(), ct?.close()]);
});

describe('order-status: webhooks processed after Fluent reached the end of each path', () => {
  it('200 orders end in exactly the states of the rule; COMPLETE orders that passed BOOKED are Paid; DLQ empty', async () => {
    const scenarios = buildScenarios(ORDERS, SEED, `B2B_${Date.now().toString(36)}`);
    const payloads: FluentWebhookPayload[] = [];
    for (const scenario of scenarios) {
      // Fluent is already at the end of the path before the first webhook is processed.
      const order = fluent.store.upsertOrder({ ref: scenario.ref, status: scenario.statuses.at(-1)! });
      ct.store.createOrder({ orderNumber: scenario.ref });
      for (const status of scenario.statuses) payloads.push(orderWebhook({ id: order.id, ref: scenario.ref }, status));
      // Fluent re-delivers the first webhook after the others (a late retry).
      payloads.push(orderWebhook({ id: order.id, ref: scenario.ref }, scenario.statuses[0]!));
    }
    await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));

    const refs = new Set(scenarios.map((s) => s.ref));
    const statesOf = (ref: string) => ct.store.getOrder({ orderNumber: ref }) ?? undefined;
    const finished = () =>
      events.filter((e) => e.key && refs.has(e.key) && ['applied', 'skipped', 'dead-lettered'].includes(e.outcome))
        .length;
    await eventually(() => finished() >= payloads.length, 90_000, 200).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${finished()} of ${payloads.length} records finished`);
    });

    expect(mismatches(scenarios, statesOf)).toEqual([]);
    const completedViaBooked = scenarios.filter(passedBookedToComplete);
    expect(completedViaBooked.length).toBeGreaterThan(50);
    for (const scenario of completedViaBooked) {
      expect(expectedFinalStates(scenario)).toEqual({
        orderState: 'Complete',
        paymentState: 'Paid',
        shipmentState: 'Shipped',
      });
    }
    for (const scenario of scenarios) {
      expect(neverRegressed(ct.store.history({ orderNumber: scenario.ref })), scenario.ref).toBe(true);
    }
    expect(events.filter((e) => e.key && refs.has(e.key) && e.outcome === 'dead-lettered')).toEqual([]);
  });
});

function passedBookedToComplete(scenario: OrderScenario): boolean {
  return scenario.statuses.at(-1) === 'COMPLETE' && scenario.statuses.includes('BOOKED');
}
