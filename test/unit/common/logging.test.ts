import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from '../../../common/logging.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'trace' }, stream) };
}

const entry = (level: logLevel, message: string) => ({
  namespace: 'Producer',
  level,
  label: logLevel[level],
  log: { timestamp: '2026-11-30T00:00:00.000Z', logger: 'kafkajs', message, broker: '127.0.0.1:9092' },
});

describe('kafkaLogCreator: the one KafkaJS → pino adapter', () => {
  it('keeps ERROR and WARN, lowers INFO to debug and DEBUG to trace, with the namespace and fields', () => {
    const { lines, logger } = capture();
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log(entry(logLevel.ERROR, 'e'));
    log(entry(logLevel.WARN, 'w'));
    log(entry(logLevel.INFO, 'i'));
    log(entry(logLevel.DEBUG, 'd'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'kafkajs: e'],
      [40, 'kafkajs: w'],
      [20, 'kafkajs: i'],
      [10, 'kafkajs: d'],
    ]);
    expect(lines[0]?.kafkajs).toMatchObject({ namespace: 'Producer', broker: '127.0.0.1:9092' });
  });
});
