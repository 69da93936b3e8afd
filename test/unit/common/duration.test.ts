import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from '../../../common/duration.js';
import { DEFAULT_RETRY_DELAYS_MS, parseRetryDelays } from '../../../common/retry-delays.js';

describe('durations', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    [' 30s ', 30_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '-5s', '1y', '5mm'])('%j is not a duration', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );

  it('formats compactly', () => {
    expect([250, 5_000, 60_000, 5_400_000, 90_061_001].map(formatDurationMs)).toEqual([
      '250ms',
      '5s',
      '1m',
      '1h30m',
      '1d1h1m1s1ms',
    ]);
  });
});

describe('retry delays', () => {
  it('defaults to 5s, 1m, 10m', () => expect(DEFAULT_RETRY_DELAYS_MS).toEqual([5_000, 60_000, 600_000]));
  it('parses a comma list', () => expect(parseRetryDelays('5s, 1m,10m')).toEqual([5_000, 60_000, 600_000]));
  it('names the offending part', () => {
    expect(() => parseRetryDelays('5s,later')).toThrow('RETRY_DELAYS: "later" is not a duration');
    expect(() => parseRetryDelays('0s')).toThrow('must be greater than zero');
    expect(() => parseRetryDelays(' , ')).toThrow('at least one delay');
    expect(() => parseRetryDelays(Array(21).fill('1s').join(','))).toThrow('at most 20');
  });
});
