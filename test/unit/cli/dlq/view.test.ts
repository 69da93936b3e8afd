import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Headers, type FluentWebhookRecord } from '../../../../schemas/index.js';
import { recordDocument, renderRecord, sortDeadLetters } from '../../../../cli/dlq/view.js';
import { summarize } from '../../../../cli/records.js';

const message: KafkaMessage = {
  key: Buffer.from('O_1'),
  value: Buffer.from([0, 1, 2, 255]),
  timestamp: String(Date.UTC(2024, 4, 1, 10)),
  attributes: 0,
  offset: '12',
  headers: { [Headers.errorClass]: Buffer.from('CONFIGURATION') },
};

describe('dlq show view', () => {
  it('shows an undecodable value as base64 and hex', () => {
    const doc = recordDocument('t.dlq', 3, message, { error: 'not Avro' });
    expect(doc).toMatchObject({
      topic: 't.dlq',
      partition: 3,
      offset: '12',
      timestamp: '2024-05-01T10:00:00.000Z',
      key: 'O_1',
      headers: { [Headers.errorClass]: 'CONFIGURATION' },
      valueBytes: 4,
      decodeError: 'not Avro',
      valueBase64: 'AAEC/w==',
      valueHex: '000102ff',
    });
    expect(doc.value).toBeUndefined();
    expect(renderRecord(doc).split('\n')).toEqual([
      't.dlq 3:12  (timestamp 2024-05-01T10:00:00.000Z, key O_1)',
      '',
      'headers:',
      `  ${Headers.errorClass}: CONFIGURATION`,
      '',
      'value (4 bytes) could not be decoded: not Avro',
      '  base64: AAEC/w==',
      '  hex:    000102ff',
    ]);
  });

  it('shows a decoded value with the raw body as JSON and the signature redacted', () => {
    const record = {
      rawBody: Buffer.from('{"id":"evt-1"}'),
      receivedAt: BigInt(Date.UTC(2024, 4, 1)),
      signature: 'abcdef',
    } as unknown as FluentWebhookRecord;
    const doc = recordDocument('t.dlq', 0, message, { record });
    expect(doc.value).toMatchObject({
      rawBody: { id: 'evt-1' },
      receivedAt: '2024-05-01T00:00:00.000Z',
      signature: '[redacted, 6 chars]',
    });
    expect(doc.decodeError).toBeUndefined();
    expect(renderRecord(doc)).toContain('value (Avro, 4 bytes):\n  {\n    "rawBody": {');
  });
});

describe('dlq list order', () => {
  it('sorts oldest first, then by position', () => {
    const at = (partition: number, offset: string, timestamp: number) =>
      summarize(partition, { ...message, offset, timestamp: String(timestamp) });
    const sorted = sortDeadLetters([at(1, '5', 2), at(0, '9', 1), at(0, '10', 2), at(0, '2', 2)]);
    expect(sorted.map((s) => `${s.partition}:${s.offset}`)).toEqual(['0:9', '0:2', '0:10', '1:5']);
  });
});
