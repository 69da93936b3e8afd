/**
 * End to end through the real entry points: signed webhooks → ingress (child process) → Kafka (real broker, Avro via
 * the real registry) → processor (child process) → Fluent and commercetools simulators.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderStatusEvent } from '../../sim/fluent/index.js';
import { Headers, headerString } from '../../schemas/index.js';
import { eventually, infra, readTopic, uniqueName } from '../support/kafka.js';
import { startPipeline, type Pipeline } from '../../sim/pipeline.js';
import { buildScenarios, mismatches, prng, type OrderScenario } from '../../sim/scenario.js';

const ORDERS = 40;
const SEED = Number(process.env.E2E_SEED ?? 20261128);

describe('ingress → Kafka → processor → commercetools', () => {
  let pipeline: Pipeline;
  let scenarios: OrderScenario[];

  beforeAll(async () => {
    const topic = uniqueName('e2e.webhooks');
    pipeline = await startPipeline({
      ...(({ kafkaBrokers, schemaRegistryUrl }) => ({ kafkaBrokers, schemaRegistryUrl }))(infra()),
      topic,
      groupId: uniqueName('e2e.group'),
      partitions: 4,
      retryDelays: '500ms,1s,2s',
      logDir: join(tmpdir(), topic),
    });
    scenarios = buildScenarios(ORDERS, SEED, 'E2E');
    for (const s of scenarios) {
      pipeline.fluent.store.upsertOrder({ id: s.id, ref: s.ref, status: 'CREATED', retailerId: '1' });
      pipeline.ct.store.createOrder({ orderNumber: s.ref });
    }
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('ends with every order in the state its final Fluent status maps to, one record per event, empty DLQ', async () => {
    const random = prng(SEED);
    const accepted = new Set<string>();
    let deliveries = 0;
    // Orders advance concurrently; each order's webhooks go out in order, like Fluent's.
    await Promise.all(
      scenarios.map(async (scenario) => {
        for (const status of scenario.statuses) {
          pipeline.fluent.store.setOrderStatus({ ref: scenario.ref }, status);
          const event = buildOrderStatusEvent({ orderId: scenario.id, orderRef: scenario.ref, status });
          // Some events are delivered twice at once (Fluent retrying after a slow answer) or again later.
          const copies = random() < 0.2 ? 2 : 1;
          const results = await Promise.all(Array.from({ length: copies }, () => pipeline.sender.send(event)));
          deliveries += copies;
          for (const r of results) expect(r.status, `event ${event.id}`).toBe(200);
          if (random() < 0.1) {
            deliveries += 1;
            expect((await pipeline.sender.send(event)).status).toBe(200);
          }
          accepted.add(event.id);
        }
      }),
    );
    expect(deliveries).toBeGreaterThan(accepted.size);

    await eventually(
      () => mismatches(scenarios, (ref) => pipeline.ct.store.getOrder({ orderNumber: ref }) ?? undefined).length === 0,
      60_000,
      250,
    ).catch(() => {
      const problems = mismatches(scenarios, (ref) => pipeline.ct.store.getOrder({ orderNumber: ref }) ?? undefined);
      throw new Error(`orders not converged:\n${problems.join('\n')}`);
    });

    const records = await readTopic(pipeline.topics.webhooks);
    const ids = records.map((r) => headerString(r.headers, Headers.eventId));
    expect(ids.length).toBe(accepted.size);
    expect(new Set(ids)).toEqual(accepted);
    // Keys are the order ref, so one order's events share a partition.
    const partitionsByKey = new Map<string, Set<number>>();
    for (const r of records) {
      const set = partitionsByKey.get(r.key!) ?? new Set<number>();
      set.add(r.partition);
      partitionsByKey.set(r.key!, set);
    }
    for (const [key, parts] of partitionsByKey) expect(parts.size, key).toBe(1);

    expect(await readTopic(pipeline.topics.dlq)).toHaveLength(0);
    // Idempotent effect: no order got more writes than it has statuses.
    for (const s of scenarios) {
      const updates = pipeline.ct.store.history({ orderNumber: s.ref }).filter((h) => h.source === 'update');
      expect(updates.length, s.ref).toBeLessThanOrEqual(s.statuses.length);
    }
  });
});
