import { describe, expect, it } from 'vitest';
import {
  Headers,
  headerString,
  partitionKey,
  toWebhookPayload,
  toWebhookRecord,
  type FluentWebhookPayload,
} from '../../../schemas/index.js';
import { buildOrderStatusEvent } from '../../../sim/fluent/index.js';
import { createTestTopics, testKafka, testSerde, uniqueName } from '../../support/kafka.js';

describe('Avro webhook record through the real broker and registry', () => {
  it('round-trips a payload, unknown fields and raw body included', async () => {
    const topics = await createTestTopics({ partitions: 1 });
    const serde = testSerde();
    const payload: FluentWebhookPayload = buildOrderStatusEvent({
      eventId: 'b34281d0-0c8a-4f2e-9b7e-3b0a2c1d9e01',
      orderId: '123',
      orderRef: 'O_123',
      status: 'SHIPPED',
      type: 'NORMAL',
      attributes: { nested: [1, 'two', { three: true }] },
      extra: { someFutureField: { unknown: 'kept' } },
    });
    const rawBody = Buffer.from(JSON.stringify(payload));
    const record = toWebhookRecord(payload, { rawBody, receivedAt: 1_764_000_000_123, signature: 'c2ln' });
    const value = await serde.encode(topics.webhooks, record);

    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.webhooks,
      acks: -1,
      messages: [{ key: partitionKey(payload), value, headers: { [Headers.eventId]: payload.id } }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('group') });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.webhooks, fromBeginning: true });
    const received = await new Promise<{ key: string; value: Buffer; eventId: string | undefined }>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve({
            key: message.key!.toString(),
            value: message.value!,
            eventId: headerString(message.headers, Headers.eventId),
          });
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();

    expect(received.key).toBe('O_123');
    expect(received.eventId).toBe(payload.id);
    const decoded = await serde.decode(received.value);
    expect(decoded).toEqual(record);
    expect(toWebhookPayload(decoded)).toEqual(payload);
    expect(JSON.parse(decoded.rawBody.toString('utf8'))).toEqual(payload);
  });

  it('registers the schema once per subject and rejects bytes that are not a framed record', async () => {
    const topics = await createTestTopics({ partitions: 1 });
    const serde = testSerde();
    const [a, b] = await Promise.all([serde.schemaIdFor(topics.webhooks), serde.schemaIdFor(topics.webhooks)]);
    expect(a).toBe(b);
    await expect(serde.decode(Buffer.from('{"not":"avro"}'))).rejects.toMatchObject({
      name: 'UndecodableRecordError',
      canRetry: false,
    });
    await expect(serde.decode(Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]))).rejects.toMatchObject({
      name: 'UndecodableRecordError',
    });
  });
});
