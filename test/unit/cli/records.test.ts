import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { matches, replayMessage, summarize } from '../../../cli/records.js';
import { FAILURE_HEADERS, Headers } from '../../../schemas/index.js';

function deadLetter(overrides: { headers?: KafkaMessage['headers']; key?: Buffer | null } = {}): KafkaMessage {
  const message: KafkaMessage = {
    key: Buffer.from('O_1'),
    value: Buffer.from([0, 0, 0, 0, 1, 2, 3]),
    timestamp: String(Date.UTC(2024, 4, 1, 10)),
    attributes: 0,
    offset: '42',
    headers: {
      [Headers.messageName]: Buffer.from('fc.connect.order.webhook.order-status-update'),
      [Headers.eventId]: Buffer.from('evt-1'),
      [Headers.receivedAt]: Buffer.from('1714557600000'),
      [Headers.traceparent]: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      [Headers.attempt]: Buffer.from('4'),
      [Headers.notBefore]: Buffer.from('1714557605000'),
      [Headers.originalTopic]: Buffer.from('fluent.webhooks'),
      [Headers.originalPartition]: Buffer.from('2'),
      [Headers.originalOffset]: Buffer.from('17'),
      [Headers.errorClass]: Buffer.from('RETRIES_EXHAUSTED'),
      [Headers.errorMessage]: Buffer.from('commercetools 503'),
      [Headers.errorRetryable]: Buffer.from('false'),
      [Headers.handler]: Buffer.from('order-status'),
      [Headers.failedAt]: Buffer.from('2024-05-01T10:00:01.000Z'),
      [Headers.replayedFrom]: Buffer.from('fluent.webhooks.dlq:0:1'),
      'x-partner': Buffer.from('kept'),
    },
  };
  return { ...message, ...overrides };
}

describe('dead-letter summary and filters', () => {
  it('summarizes the Kafka contract headers', () => {
    expect(summarize(2, deadLetter())).toMatchObject({
      partition: 2,
      offset: '42',
      key: 'O_1',
      messageName: 'fc.connect.order.webhook.order-status-update',
      eventId: 'evt-1',
      errorClass: 'RETRIES_EXHAUSTED',
      errorMessage: 'commercetools 503',
      attempts: 4,
      failedAt: '2024-05-01T10:00:01.000Z',
      originalTopic: 'fluent.webhooks',
      originalPartition: 2,
      originalOffset: '17',
    });
    const epochFailedAt = deadLetter();
    (epochFailedAt.headers as Record<string, Buffer>)[Headers.failedAt] = Buffer.from('1714557601000');
    expect(summarize(0, epochFailedAt).failedAt).toBe('2024-05-01T10:00:01.000Z');
    expect(summarize(0, deadLetter({ headers: {}, key: null }))).toMatchObject({
      key: null,
      errorClass: null,
      attempts: null,
    });
  });

  it('matches on any of the listed values per criterion, and on a half-open time range', () => {
    const s = summarize(0, deadLetter());
    const t = Date.UTC(2024, 4, 1, 10);
    expect(matches(s, {})).toBe(true);
    expect(matches(s, { errorClasses: ['CONFIGURATION', 'RETRIES_EXHAUSTED'] })).toBe(true);
    expect(matches(s, { errorClasses: ['CONFIGURATION'] })).toBe(false);
    expect(matches(s, { keys: ['O_2'] })).toBe(false);
    expect(matches(s, { names: ['fc.connect.order.webhook.order-status-update'], keys: ['O_1'] })).toBe(true);
    expect(matches(s, { since: t, until: t + 1 })).toBe(true);
    expect(matches(s, { since: t + 1 })).toBe(false);
    expect(matches(s, { until: t })).toBe(false);
  });
});

describe('replayMessage', () => {
  it('keeps key, value bytes and non-failure headers; drops failure headers; adds replay headers', () => {
    const source = deadLetter();
    const out = replayMessage({ topic: 'fluent.webhooks.dlq', partition: 1 }, source, Date.UTC(2024, 4, 2));
    expect(out.key).toBe(source.key);
    expect(out.value).toBe(source.value);
    for (const name of FAILURE_HEADERS) {
      expect(out.headers[name], name).toBeUndefined();
    }
    expect(out.headers[Headers.messageName]).toEqual(Buffer.from('fc.connect.order.webhook.order-status-update'));
    expect(out.headers[Headers.eventId]).toEqual(Buffer.from('evt-1'));
    expect(out.headers[Headers.traceparent]).toBeDefined();
    expect(out.headers['x-partner']).toEqual(Buffer.from('kept'));
    expect(out.headers[Headers.replayedAt]).toBe('2024-05-02T00:00:00.000Z');
    // A record replayed twice points at its latest source only.
    expect(out.headers[Headers.replayedFrom]).toBe('fluent.webhooks.dlq:1:42');
  });

  it('keeps the last value of a multi-valued header', () => {
    const source = deadLetter({ headers: { 'x-multi': [Buffer.from('a'), Buffer.from('b')] } });
    expect(replayMessage({ topic: 't', partition: 0 }, source, 0).headers['x-multi']).toEqual(Buffer.from('b'));
  });
});
