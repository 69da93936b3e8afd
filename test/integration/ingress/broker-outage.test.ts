import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsAndWait } from '../../../cli/kafka.js';
import { eventually, uniqueName } from '../../support/kafka.js';
import { startPrivateBroker, type PrivateBroker } from '../../support/private-broker.js';
import { payload, recordCount, signedRequest, startIngress, type Harness } from '../support/ingress.js';

describe('ingress while its Kafka broker is down (private broker)', () => {
  let broker: PrivateBroker;
  let h: Harness;
  const topic = uniqueName('ingress.outage');

  beforeAll(async () => {
    broker = await startPrivateBroker();
    const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    h = await startIngress({ INGRESS_PRODUCE_TIMEOUT_MS: '3000' }, { brokers: broker.brokers, topic });
  });
  afterAll(async () => {
    await h?.close();
    await broker?.destroy();
  });

  it('answers 503 + Retry-After within a bounded time, never 200, and accepts again once the broker is back', async () => {
    expect((await h.app.inject(signedRequest(JSON.stringify(payload())))).statusCode).toBe(200);

    await broker.stop();
    const started = Date.now();
    const down = await h.app.inject(signedRequest(JSON.stringify(payload())));
    const elapsed = Date.now() - started;
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.json().error.code).toBe('KAFKA_UNAVAILABLE');
    expect(elapsed).toBeLessThan(5_000);
    const ready = await h.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.kafka.ok).toBe(false);

    await broker.start();
    const retried = JSON.stringify(payload());
    await eventually(async () => (await h.app.inject(signedRequest(retried))).statusCode === 200, 30_000, 500);
    expect(await recordCount(topic, broker.brokers)).toBeGreaterThanOrEqual(2);
  });
});
