/**
 * The services' logger: pino JSON lines on stdout with every secret-bearing path redacted (DESIGN.md §7); pretty
 * output only when asked (`LOG_PRETTY=true`, development: pino-pretty is a dev dependency).
 */
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from './connection-config.js';

/** Exit code of a service that refuses to start on invalid configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

export function createServiceLogger(options: { service: string; level: string; pretty?: boolean }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}
