import { Kafka, logLevel, type Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectProducer } from '../../../cli/kafka.js';

describe('connectProducer', () => {
  it('chooses the partitioner explicitly, so KafkaJS logs no partitioner warning', async () => {
    // KafkaJS warns once per process, when a producer is created without `createPartitioner`; this file runs alone.
    const warnings: string[] = [];
    const kafka = new Kafka({
      clientId: 'partitioner-test',
      brokers: ['127.0.0.1:1'], // nothing listens: the connect fails, the producer was created before
      retry: { retries: 0 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => void warnings.push(entry.log.message),
    });
    const client = { kafka, admin: {} as Admin, brokers: ['127.0.0.1:1'], close: () => Promise.resolve() };
    await expect(connectProducer(client)).rejects.toThrow();
    expect(warnings.join('\n')).not.toMatch(/partitioner/i);
  });
});
