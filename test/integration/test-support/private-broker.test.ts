import { Kafka, logLevel } from 'kafkajs';
import { createTopicsAndWait } from '../../../cli/kafka.js';
import { describe, expect, it } from 'vitest';
import { startPrivateBroker } from '../../support/private-broker.js';

describe('private broker helper', () => {
  it('starts, stops and restarts a broker of its own', async () => {
    const broker = await startPrivateBroker();
    try {
      const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await createTopicsAndWait(admin, [{ topic: 'private.check', numPartitions: 1 }]);
      await admin.disconnect();
      await broker.stop();
      await broker.start();
      const again = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
      await again.connect();
      expect(await again.listTopics()).toContain('private.check');
      await again.disconnect();
    } finally {
      await broker.destroy();
    }
  });
});
