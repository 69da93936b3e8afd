import { describe, expect, it } from 'vitest';
import { NonRetryableError, RetriesExhaustedError, RetryableError } from '../../../processor/errors.js';
import { buildFailureRecord } from '../../../processor/failure-records.js';
import { decideRetry } from '../../../processor/retry-policy.js';

const main = 'fluent.webhooks';
const value = Buffer.from([0, 0, 0, 0, 1, 42]);

describe('buildFailureRecord', () => {
  it('keeps key, value and original headers and adds the error headers for a retry tier', () => {
    const now = Date.UTC(2025, 0, 1);
    const decision = decideRetry({ mainTopic: main, delaysMs: [5_000], attempt: 1, retryable: true, now });
    const out = buildFailureRecord({
      source: {
        topic: main,
        partition: 2,
        offset: '77',
        key: Buffer.from('O_1'),
        value,
        headers: { 'fc-event-id': Buffer.from('e1'), traceparent: 'tp', 'fc-attempt': 'stale' },
      },
      mainTopic: main,
      decision,
      attempt: 1,
      error: new RetryableError('HTTP 503'),
      handlerName: 'order-status',
      now,
    });
    expect(out.topic).toBe('fluent.webhooks.retry.1');
    expect(out.value).toBe(value);
    expect(out.key!.toString()).toBe('O_1');
    expect(out.headers).toMatchObject({
      'fc-event-id': Buffer.from('e1'),
      traceparent: 'tp',
      'fc-attempt': '1',
      'fc-not-before': String(now + 5_000),
      'fc-original-topic': main,
      'fc-original-partition': '2',
      'fc-original-offset': '77',
      'fc-error-class': 'RETRYABLE',
      'fc-error-message': 'HTTP 503',
      'fc-error-retryable': 'true',
      'fc-handler': 'order-status',
      'fc-failed-at': '2025-01-01T00:00:00.000Z',
    });
  });

  it('points a DLQ record from a retry tier at the original main-topic position', () => {
    const decision = decideRetry({ mainTopic: main, delaysMs: [1, 1], attempt: 3, retryable: true, now: 0 });
    expect(decision).toMatchObject({ kind: 'dlq', reason: 'retries-exhausted' });
    const out = buildFailureRecord({
      source: {
        topic: 'fluent.webhooks.retry.2',
        partition: 0,
        offset: '5',
        key: null,
        value,
        headers: {
          'fc-original-topic': main,
          'fc-original-partition': '2',
          'fc-original-offset': '77',
          'fc-not-before': '1',
        },
      },
      mainTopic: main,
      decision,
      attempt: 3,
      error: new RetriesExhaustedError('retries exhausted after 3 attempts', { cause: new Error('HTTP 500') }),
      handlerName: undefined,
      now: 0,
    });
    expect(out.topic).toBe('fluent.webhooks.dlq');
    expect(out.headers['fc-original-topic']).toBe(main);
    expect(out.headers['fc-original-offset']).toBe('77');
    expect(out.headers['fc-not-before']).toBeUndefined();
    expect(out.headers['fc-handler']).toBeUndefined();
    expect(out.headers['fc-error-class']).toBe('RETRIES_EXHAUSTED');
    expect(out.headers['fc-error-message']).toBe('retries exhausted after 3 attempts <- caused by: HTTP 500');
  });

  it('marks non-retryable errors', () => {
    const decision = decideRetry({ mainTopic: main, delaysMs: [1], attempt: 1, retryable: false, now: 0 });
    const out = buildFailureRecord({
      source: { topic: main, partition: 0, offset: '1', key: null, value: null, headers: undefined },
      mainTopic: main,
      decision,
      attempt: 1,
      error: new NonRetryableError('bad'),
      handlerName: 'h',
      now: 0,
    });
    expect(out.headers['fc-error-retryable']).toBe('false');
    expect(out.value).toBeNull();
  });
});
