/**
 * Chaos: signed webhooks for many orders (with duplicates and Fluent-style retries of the same event id) while the
 * processor is SIGKILLed and restarted, the (private) broker is stopped and restarted, the ingress is restarted, and
 * the simulators inject 5xx, 429, held requests (timeouts), commercetools conflicts and latency spikes.
 *
 * Verdict: every webhook that got a 200 is reflected in commercetools (support/oracle.ts) and reached a final outcome
 * in the processor, read from the topics and the group's committed offsets (support/outcomes.ts); no order regressed
 * at any point of its history (support/regression.ts); the DLQ is empty (every fault here is transient). Counts are
 * printed.
 * RELIABILITY_PROFILE=long runs 500 orders over a 5-minute schedule (npm run test:reliability).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infra, readTopic, uniqueName } from '../support/kafka.js';
import { startPipeline, type Pipeline } from '../../sim/pipeline.js';
import { startPrivateBroker, type PrivateBroker } from '../support/private-broker.js';
import { buildScenarios, type OrderScenario, type States } from '../../sim/scenario.js';
import { applyBaseFaults, ChaosDriver } from './support/chaos-driver.js';
import { checkOrders } from './support/oracle.js';
import { checkOutcomes, readCommittedOffsets, readPipelineRecords, type OutcomeReport } from './support/outcomes.js';
import { chaosProfile } from './support/profiles.js';
import { byLabel, sumOf } from './support/prometheus.js';
import { regressions } from './support/regression.js';

const profile = chaosProfile();
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261128);
// Short tiers, a long last one: a transient fault must never exhaust the retries within the test.
const RETRY_DELAYS = '1s,2s,5s,20s';

describe(`chaos (${profile.name} profile: ${profile.orders} orders, ${profile.trafficMs / 1000} s schedule)`, () => {
  let broker: PrivateBroker;
  let pipeline: Pipeline;
  let scenarios: OrderScenario[];
  let logDir: string;
  const groupId = uniqueName('chaos.group');

  beforeAll(async () => {
    broker = await startPrivateBroker();
    const topic = uniqueName('chaos.webhooks');
    logDir = join(tmpdir(), topic);
    pipeline = await startPipeline({
      kafkaBrokers: broker.brokers,
      schemaRegistryUrl: infra().schemaRegistryUrl,
      topic,
      groupId,
      partitions: 6,
      retryDelays: RETRY_DELAYS,
      logDir,
      // Fluent's real schedule (0, 2, 4, 8 s): a webhook survives ~14 s of ingress or broker trouble.
      senderDelayScale: 1,
      env: {
        SESSION_TIMEOUT_MS: '6000',
        HEARTBEAT_INTERVAL_MS: '1000',
        FLUENT_HTTP_TIMEOUT: '1500ms',
        CT_HTTP_TIMEOUT: '1500ms',
        INGRESS_PRODUCE_TIMEOUT_MS: '3000',
        PROCESSOR_CONCURRENCY: '64',
      },
    });
    scenarios = buildScenarios(profile.orders, SEED, 'CHAOS');
    for (const s of scenarios) {
      pipeline.fluent.store.upsertOrder({ id: s.id, ref: s.ref, status: 'CREATED', retailerId: '1' });
      pipeline.ct.store.createOrder({ orderNumber: s.ref });
    }
  });

  afterAll(async () => {
    await pipeline?.stop();
    await broker?.destroy();
  });

  it('loses nothing accepted, never regresses an order, dead-letters nothing', async () => {
    const driver = new ChaosDriver(pipeline, broker, profile, SEED);
    const statesOf = (ref: string): States | undefined => pipeline.ct.store.getOrder({ orderNumber: ref }) ?? undefined;

    applyBaseFaults(pipeline);
    const { converged, convergeSeconds, drained } = await driver.runUntilSettled(
      scenarios,
      statesOf,
      profile.convergeMs,
    );

    const kafka = new Kafka({ clientId: 'chaos-reader', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const dlq = await readTopic(pipeline.topics.dlq, kafka);
    const acceptedEvents = new Set(driver.deliveries.filter((d) => d.accepted).map((d) => d.eventId));
    const outcomes = await finalOutcomes(kafka, acceptedEvents, (done) => driver.superviseUntil(done, 30_000));
    const report = checkOrders(scenarios, driver.deliveries, statesOf);
    const regressed = scenarios.flatMap((s) => regressions(s.ref, pipeline.ct.store.history({ orderNumber: s.ref })));

    const ingress = driver.ingressScrapes.all();
    const processor = driver.processorScrapes.all();
    const events = new Set(driver.deliveries.map((d) => d.eventId));
    const notAccepted = driver.deliveries.filter((d) => !d.accepted);
    const counts = {
      profile: profile.name,
      seed: SEED,
      orders: scenarios.length,
      'webhook events (distinct ids)': events.size,
      'deliveries sent (incl. duplicates)': driver.deliveries.length,
      'duplicate deliveries sent': driver.deliveries.filter((d) => d.kind !== 'first').length,
      'deliveries accepted (200)': driver.deliveries.length - notAccepted.length,
      'events accepted (200)': acceptedEvents.size,
      'deliveries rejected after Fluent retries': notAccepted.length,
      'sender retries (extra attempts)': driver.deliveries.reduce((n, d) => n + d.attempts - 1, 0),
      'ingress accepted (metrics)': sumOf(ingress, 'fc_ingress_requests_total', { outcome: 'accepted' }),
      'ingress duplicates suppressed (metrics)': sumOf(ingress, 'fc_ingress_requests_total', { outcome: 'duplicate' }),
      'ingress errors by code (metrics)': JSON.stringify(
        Object.fromEntries(
          Object.entries(byLabel(ingress, 'fc_ingress_requests_total', 'outcome')).filter(
            ([k]) => k !== 'accepted' && k !== 'duplicate',
          ),
        ),
      ),
      'processor outcomes (metrics)': JSON.stringify(
        byLabel(processor, 'fc_processor_records_processed_total', 'outcome'),
      ),
      'processor retries by tier (metrics)': JSON.stringify(byLabel(processor, 'fc_processor_retries_total', 'tier')),
      'processor dead letters (metrics)': sumOf(processor, 'fc_processor_dead_letters_total'),
      'processor outage pauses (metrics)': sumOf(processor, 'fc_processor_pauses_total'),
      'DLQ records': dlq.length,
      'commercetools conflicts (sim)': pipeline.ct.stats.conflicts,
      'commercetools updates applied (sim)': pipeline.ct.stats.updatesApplied,
      'faults injected: Fluent': JSON.stringify(pipeline.fluent.stats.faults),
      'faults injected: commercetools': JSON.stringify(pipeline.ct.stats.faults),
      'accepted events with a final outcome (topics + committed offsets)': `${outcomes.accepted - outcomes.problems.length} / ${outcomes.accepted}`,
      'orders checked strictly / against accepted prefix': `${report.strict} / ${report.partial}`,
      'processor instances / ingress instances': `${driver.processorScrapes.instances} / ${driver.ingressScrapes.instances}`,
      'unexpected exits (restarted by watchdog)': driver.unexpectedExits.length,
      'converged after traffic (s)': convergeSeconds.toFixed(1),
      logs: logDir,
    };
    console.log(
      `\nchaos ${profile.name}: schedule\n${driver.log.map((l) => `  +${(l.atMs / 1000).toFixed(1)}s ${l.action} (${l.tookMs} ms)`).join('\n')}`,
    );
    console.table(counts);
    if (notAccepted.length > 0) {
      const reasons = new Map<string, number>();
      for (const d of notAccepted) {
        const reason = `${d.httpStatus ?? '-'} ${(d.lastError ?? '').slice(0, 80)}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      console.log('not accepted after Fluent retries (Fluent would alert):', Object.fromEntries(reasons));
    }
    if (driver.unexpectedExits.length > 0) console.log('unexpected exits:', driver.unexpectedExits);

    expect(outcomes.problems, 'accepted webhooks without a final outcome in the processor').toEqual([]);
    expect(report.problems, 'orders not reflecting their accepted webhooks').toEqual([]);
    expect(converged).toBe(true);
    expect(regressed, 'orders that moved backwards').toEqual([]);
    expect(
      dlq.map((r) => `${r.key}: ${String(r.headers['fc-error-class'])} ${String(r.headers['fc-error-message'])}`),
      'dead-lettered records (all faults were transient)',
    ).toEqual([]);
    expect(drained, 'processor lag drained to 0').toBe(true);
    // The chaos really happened.
    expect(driver.processorScrapes.instances).toBeGreaterThanOrEqual(profile.processorKillsAt.length + 1);
    expect(pipeline.ct.stats.conflicts).toBeGreaterThan(0);
    expect(driver.deliveries.filter((d) => d.kind !== 'first').length).toBeGreaterThan(0);
    // Most of the stream got through: a broken ingress cannot pass by rejecting everything.
    expect(acceptedEvents.size).toBeGreaterThan(events.size * 0.8);
  });

  /**
   * Reads the topics once (nothing is produced any more), then waits for the group's commits, which trail the work by
   * up to a commit interval, to cover every record of an accepted event.
   */
  async function finalOutcomes(
    kafka: Kafka,
    accepted: ReadonlySet<string>,
    waitUntil: (done: () => Promise<boolean>) => Promise<boolean>,
  ): Promise<OutcomeReport> {
    const records = await readPipelineRecords(kafka, pipeline.topics);
    const admin = kafka.admin();
    await admin.connect();
    let report: OutcomeReport = { accepted: accepted.size, deadLettered: 0, problems: ['not checked'] };
    try {
      await waitUntil(async () => {
        const committed = await readCommittedOffsets(admin, groupId, pipeline.topics);
        report = checkOutcomes(accepted, { topics: pipeline.topics, records, committed });
        return report.problems.length === 0;
      });
    } finally {
      await admin.disconnect();
    }
    return report;
  }
});
