import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  boundFor,
  collectList,
  intParser,
  parseDateTime,
  durationArg,
  parseOffsetBounds,
  parsePartitionOffset,
  parseTopicName,
} from '../../../cli/parse.js';

describe('cli argument parsers', () => {
  it('parses durations with units and bare milliseconds', () => {
    expect(durationArg('500ms')).toBe(500);
    expect(durationArg('30s')).toBe(30_000);
    expect(durationArg('10m')).toBe(600_000);
    expect(durationArg('7d')).toBe(604_800_000);
    expect(durationArg('2w')).toBe(1_209_600_000);
    expect(durationArg('1500')).toBe(1500);
    expect(() => durationArg('forever')).toThrow(InvalidArgumentError);
    expect(() => durationArg('0s')).toThrow('greater than zero');
  });

  it('parses dates, zoned date-times and now-<duration>; refuses zone-less date-times', () => {
    expect(parseDateTime('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDateTime('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseDateTime('2024-05-01T12:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseDateTime('2024-05-01T10:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
    expect(parseDateTime('now-2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseDateTime('now', 42)).toBe(42);
    expect(() => parseDateTime('2024-05-01T10:00:00')).toThrow('Add a time zone');
    expect(() => parseDateTime('yesterday')).toThrow('ISO 8601');
    expect(() => parseDateTime('2024-13-45')).toThrow('not a valid calendar date');
  });

  it('parses partition:offset positions', () => {
    expect(parsePartitionOffset('3:1200')).toEqual({ partition: 3, offset: 1200n });
    expect(parsePartitionOffset('0:9223372036854775807')).toEqual({ partition: 0, offset: 9223372036854775807n });
    expect(() => parsePartitionOffset('3-1200')).toThrow('<partition>:<offset>');
    expect(() => parsePartitionOffset('a:1')).toThrow(InvalidArgumentError);
  });

  it('parses offset bounds for all or some partitions, accumulating repeated flags', () => {
    const bounds = parseOffsetBounds('0:100,2:40');
    expect(boundFor(bounds, 0)).toBe(100n);
    expect(boundFor(bounds, 2)).toBe(40n);
    expect(boundFor(bounds, 1)).toBeUndefined();
    const withAll = parseOffsetBounds('7', parseOffsetBounds('1:5'));
    expect(boundFor(withAll, 1)).toBe(5n);
    expect(boundFor(withAll, 3)).toBe(7n);
    expect(() => parseOffsetBounds('x:1')).toThrow('is neither an offset');
    expect(() => parseOffsetBounds(',')).toThrow('Give an offset');
  });

  it('validates integers, lists and topic names', () => {
    expect(intParser(1, 10)('7')).toBe(7);
    expect(() => intParser(1, 10)('0')).toThrow('from 1 to 10');
    expect(() => intParser(1, 10)('1.5')).toThrow('from 1 to 10');
    expect(collectList('b', collectList('a, c'))).toEqual(['a', 'c', 'b']);
    expect(() => collectList(' , ')).toThrow('at least one');
    expect(parseTopicName('fluent.webhooks_1-a')).toBe('fluent.webhooks_1-a');
    expect(() => parseTopicName('bad topic')).toThrow('Topic names');
  });
});
