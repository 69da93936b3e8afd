/**
 * The services' logger: pino JSON lines on stdout with every secret-bearing path redacted; pretty output only when
 * asked (`LOG_PRETTY=true`, development: pino-pretty is a dev dependency). Also the one KafkaJS → pino adapter, so
 * every service and the CLI log the client the same way.
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from './redaction.js';

export function createServiceLogger(options: { service: string; level: string; pretty?: boolean }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}

/**
 * KafkaJS log entries → pino. KafkaJS's ERROR and WARN keep their level; INFO (connects, group joins: chatty under
 * rebalances) becomes debug; DEBUG becomes trace. The KafkaJS namespace and fields go under `kafkajs`.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      const fields = { kafkajs: { namespace, ...extra } };
      const text = `kafkajs: ${message}`;
      if (level <= logLevel.ERROR) logger.error(fields, text);
      else if (level === logLevel.WARN) logger.warn(fields, text);
      else if (level === logLevel.INFO) logger.debug(fields, text);
      else logger.trace(fields, text);
    };
}
