import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { chunkBatch } from '../../../cli/read-ranges.js';

const at = (offset: number): KafkaMessage => ({
  offset: String(offset),
  key: null,
  value: null,
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('chunkBatch', () => {
  it('keeps only records inside the range and resumes after each chunk', () => {
    const chunks = chunkBatch(3, [10, 11, 12, 13, 14].map(at), { partition: 3, start: 11n, end: 14n }, 15n, 2);
    expect(chunks.map((c) => c.messages.map((m) => m.offset))).toEqual([['11', '12'], ['13']]);
    // The last chunk resumes at the range end, not past it.
    expect(chunks.map((c) => c.nextOffset)).toEqual([13n, 14n]);
    expect(chunks.every((c) => c.partition === 3)).toBe(true);
  });

  it('moves past a batch with nothing in range (gaps, compacted or control records)', () => {
    const chunks = chunkBatch(0, [at(3)], { partition: 0, start: 5n, end: 100n }, 8n, 500);
    expect(chunks).toEqual([{ partition: 0, messages: [], nextOffset: 8n }]);
  });
});
