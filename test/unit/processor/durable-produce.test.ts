/** Which produce failures are permanent, and how long a retry/DLQ produce keeps trying (fake time). */
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPermanentProduceError, produceDurably } from '../../../processor/durable-produce.js';
import type { OutgoingRecord } from '../../../processor/failure-records.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Shaped like KafkaJS's errors (name, type, retriable, cause), without a broker. */
function kafkaError(name: string, fields: { type?: string; retriable: boolean; cause?: unknown }): Error {
  return Object.assign(new Error(`${name} ${fields.type ?? ''}`), { name, ...fields });
}

const protocol = (type: string, retriable: boolean): Error => kafkaError('KafkaJSProtocolError', { type, retriable });
const retriesExceeded = (cause: Error): Error =>
  kafkaError('KafkaJSNumberOfRetriesExceeded', { retriable: false, cause });

describe('isPermanentProduceError', () => {
  it.each([
    ['no write access', protocol('TOPIC_AUTHORIZATION_FAILED', false)],
    ['a record too large', protocol('MESSAGE_TOO_LARGE', false)],
    ['a batch too large', protocol('RECORD_LIST_TOO_LARGE', false)],
    ['an invalid topic', protocol('INVALID_TOPIC_EXCEPTION', false)],
    ['a missing topic after metadata refreshes', retriesExceeded(protocol('UNKNOWN_TOPIC_OR_PARTITION', true))],
    ['a check KafkaJS does not retry', kafkaError('KafkaJSNonRetriableError', { retriable: false })],
  ])('says yes for %s', (_, error) => {
    expect(isPermanentProduceError(error)).toBe(true);
  });

  it.each([
    [
      'a broker unreachable past KafkaJS retries',
      retriesExceeded(kafkaError('KafkaJSConnectionError', { retriable: true })),
    ],
    ['no leader yet', retriesExceeded(protocol('LEADER_NOT_AVAILABLE', true))],
    ['a request timeout', kafkaError('KafkaJSRequestTimeoutError', { retriable: true })],
    ['an unknown error', new Error('boom')],
  ])('says no for %s', (_, error) => {
    expect(isPermanentProduceError(error)).toBe(false);
  });
});

describe('produceDurably', () => {
  const record: OutgoingRecord = { topic: 't.dlq', key: null, value: null, headers: {} };
  const logger = pino({ level: 'silent' });

  it('retries transient failures with backoff until sent', async () => {
    vi.useFakeTimers();
    let failures = 3;
    const produce = (): Promise<void> => (failures-- > 0 ? Promise.reject(new Error('timeout')) : Promise.resolve());
    const signals = { halt: new AbortController().signal, signal: new AbortController().signal };
    const result = produceDurably(produce, record, { ...signals, logger, initialBackoffMs: 100 });
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    await expect(result).resolves.toEqual({ kind: 'sent' });
  });

  it('gives up on a halt while waiting to retry', async () => {
    vi.useFakeTimers();
    const halt = new AbortController();
    const result = produceDurably(() => Promise.reject(new Error('timeout')), record, {
      halt: halt.signal,
      signal: new AbortController().signal,
      logger,
      initialBackoffMs: 60_000,
    });
    await vi.advanceTimersByTimeAsync(0);
    halt.abort();
    await expect(result).resolves.toEqual({ kind: 'halted' });
  });

  it('returns a permanent failure at once', async () => {
    const error = protocol('MESSAGE_TOO_LARGE', false);
    const signals = { halt: new AbortController().signal, signal: new AbortController().signal };
    await expect(produceDurably(() => Promise.reject(error), record, { ...signals, logger })).resolves.toEqual({
      kind: 'refused',
      error,
    });
  });
});
