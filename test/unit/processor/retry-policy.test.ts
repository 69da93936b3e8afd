import { describe, expect, it } from 'vitest';
import { parseRetryDelays } from '../../../common/retry-delays.js';
import { decideRetry } from '../../../processor/retry-policy.js';

describe('parseRetryDelays', () => {
  it.each([
    ['5s,1m,10m', [5_000, 60_000, 600_000]],
    ['250ms, 1.5s', [250, 1_500]],
    ['100', [100]],
    ['1h', [3_600_000]],
  ])('parses %s', (text, expected) => {
    expect(parseRetryDelays(text)).toEqual(expected);
  });

  it.each([
    ['', /at least one delay/],
    ['5x', /"5x" is not a duration/],
    ['0s', /greater than zero/],
    ['-1s', /not a duration/],
  ])('rejects %j', (text, message) => {
    expect(() => parseRetryDelays(text)).toThrow(message);
  });
});

describe('decideRetry', () => {
  const base = { mainTopic: 'fw', delaysMs: [100, 200], now: 1_000 };
  it('moves a retryable failure to the tier of its attempt with that tier delay', () => {
    expect(decideRetry({ ...base, attempt: 1, retryable: true })).toEqual({
      kind: 'retry',
      topic: 'fw.retry.1',
      tier: 1,
      notBefore: 1_100,
    });
    expect(decideRetry({ ...base, attempt: 2, retryable: true })).toMatchObject({
      topic: 'fw.retry.2',
      notBefore: 1_200,
    });
  });
  it('dead-letters after the last tier and for non-retryable errors', () => {
    expect(decideRetry({ ...base, attempt: 3, retryable: true })).toEqual({
      kind: 'dlq',
      topic: 'fw.dlq',
      reason: 'retries-exhausted',
    });
    expect(decideRetry({ ...base, attempt: 1, retryable: false })).toEqual({
      kind: 'dlq',
      topic: 'fw.dlq',
      reason: 'non-retryable',
    });
  });
});
