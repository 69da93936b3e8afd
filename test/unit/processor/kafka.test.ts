import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadProcessorConfig } from '../../../processor/config.js';
import { createProcessorKafka } from '../../../processor/kafka.js';

describe('createProcessorKafka', () => {
  it('chooses the producer partitioner explicitly, so KafkaJS logs no partitioner warning', () => {
    // KafkaJS warns once per process, when a producer is created without `createPartitioner`; this file runs alone.
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    createProcessorKafka(loadProcessorConfig({}).runtime, logger);
    expect(lines.join('')).not.toMatch(/partitioner/i);
  });
});
