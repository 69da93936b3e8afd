/**
 * The ingress while its Kafka broker is stopped (connections refused) or hung (frozen with SIGSTOP: connections stay
 * open, requests never answered). Either way every webhook is answered 503 + Retry-After within
 * INGRESS_PRODUCE_TIMEOUT_MS of joining the produce queue, however many wait ahead of it (docs/architecture.md,
 * "Ingress responses"), and a webhook refused while still queued is never produced.
 */
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsAndWait } from '../../../cli/kafka.js';
import { loadIngressConfig } from '../../../ingress/config.js';
import { createKafkaAdapter, type OutgoingMessage, type ProducerAdapter } from '../../../ingress/kafka.js';
import { eventually, uniqueName } from '../../support/kafka.js';
import { startPrivateBroker, type PrivateBroker } from '../../support/private-broker.js';
import { payload, recordCount, signedRequest, signer, startIngress, type Harness } from '../support/ingress.js';

const PRODUCE_TIMEOUT_MS = 3_000;
// Ten records per produce call, one call at a time: 100 webhooks queue ten produce calls deep.
const BATCH_SIZE = 10;
const WEBHOOKS = 100;
// Verification, encoding and scheduling on a loaded 2-core machine, on top of the deadline itself.
const SLACK_MS = 1_500;

/** The real Kafka adapter, remembering the event ids it was handed (a record never handed to it cannot be written). */
function recordingAdapter(brokers: string): { adapter: ProducerAdapter; handed: Set<string> } {
  const config = loadIngressConfig({
    KAFKA_BROKERS: brokers,
    FLUENT_WEBHOOK_PUBLIC_KEYS: signer().publicKeyBase64,
    FLUENT_ACCOUNTS: '*',
  });
  const real = createKafkaAdapter(config.connection.kafka, {
    logger: pino({ level: 'silent' }),
    requestTimeoutMs: 1_500,
    connectionTimeoutMs: 500,
  });
  const handed = new Set<string>();
  const adapter: ProducerAdapter = {
    connect: () => real.connect(),
    send: (topic: string, messages: OutgoingMessage[]) => {
      for (const m of messages) handed.add(m.headers['fc-event-id']!);
      return real.send(topic, messages);
    },
    checkTopic: (topic) => real.checkTopic(topic),
    disconnect: () => real.disconnect(),
  };
  return { adapter, handed };
}

/** Sends `count` distinct webhooks at once; each answer with the time it took. */
async function burst(h: Harness, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const body = payload();
      const started = performance.now();
      const response = await h.app.inject(signedRequest(JSON.stringify(body)));
      return { id: body.id, response, ms: performance.now() - started };
    }),
  );
}

function expectAllRefusedInTime(answers: Awaited<ReturnType<typeof burst>>): void {
  const wrong = answers.filter(
    (a) =>
      a.response.statusCode !== 503 ||
      a.response.headers['retry-after'] !== '5' ||
      a.response.json<{ error: { code: string } }>().error.code !== 'KAFKA_UNAVAILABLE',
  );
  expect(wrong.map((a) => `${a.response.statusCode} ${a.response.body}`)).toEqual([]);
  const worst = Math.max(...answers.map((a) => a.ms));
  expect(worst, 'worst-case answer time (ms)').toBeLessThan(PRODUCE_TIMEOUT_MS + SLACK_MS);
}

describe('ingress while its Kafka broker is down (private broker)', () => {
  let broker: PrivateBroker;
  let h: Harness;
  let handed: Set<string>;
  const topic = uniqueName('ingress.outage');

  beforeAll(async () => {
    broker = await startPrivateBroker();
    const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    const recording = recordingAdapter(broker.brokers);
    handed = recording.handed;
    h = await startIngress(
      {
        INGRESS_PRODUCE_TIMEOUT_MS: String(PRODUCE_TIMEOUT_MS),
        INGRESS_BATCH_MAX_SIZE: String(BATCH_SIZE),
        INGRESS_BATCH_MAX_IN_FLIGHT: '1',
      },
      { brokers: broker.brokers, topic, producer: recording.adapter },
    );
  });
  afterAll(async () => {
    broker?.thaw();
    await h?.close();
    await broker?.destroy();
  });

  it('answers every webhook of a burst 503 + Retry-After within the produce timeout while the broker is stopped', async () => {
    expect((await h.app.inject(signedRequest(JSON.stringify(payload())))).statusCode).toBe(200);

    await broker.stop();
    try {
      expectAllRefusedInTime(await burst(h, WEBHOOKS));
      // The pod stays ready (the app answers 503 + Retry-After itself); the outage shows on its own endpoint.
      expect((await h.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const dependencies = await h.app.inject({ method: 'GET', url: '/health/dependencies' });
      expect(dependencies.statusCode).toBe(503);
      expect(dependencies.headers['retry-after']).toBeDefined();
      expect(dependencies.json().checks.kafka.ok).toBe(false);
    } finally {
      await broker.start();
    }
    const retried = JSON.stringify(payload());
    await eventually(async () => (await h.app.inject(signedRequest(retried))).statusCode === 200, 30_000, 500);
    expect(await recordCount(topic, broker.brokers)).toBeGreaterThanOrEqual(2);
  });

  it('answers a burst within the produce timeout while the broker hangs, and never produces a webhook refused while queued', async () => {
    await eventually(async () => (await h.app.inject(signedRequest(JSON.stringify(payload())))).statusCode === 200);
    handed.clear();

    broker.freeze();
    try {
      expectAllRefusedInTime(await burst(h, WEBHOOKS));
      // Only the produce calls started before the deadlines took records (the first, and at most one more taking
      // records a few ms younger when the first timed out); every other webhook was refused straight from the queue.
      expect(handed.size).toBeLessThanOrEqual(2 * BATCH_SIZE);
    } finally {
      broker.thaw();
    }
    await eventually(async () => (await h.app.inject(signedRequest(JSON.stringify(payload())))).statusCode === 200);
  });
});
