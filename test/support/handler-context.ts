/** A handler's view of one record, for tests that call a handler directly (no consumer in between). */
import { pino, type Logger } from 'pino';
import type { HandlerContext } from '../../processor/handler.js';
import { toWebhookRecord, type FluentWebhookPayload } from '../../schemas/index.js';

export const silentLogger: Logger = pino({ level: 'silent' });

export function contextFor(payload: FluentWebhookPayload, attempt = 1): HandlerContext {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    record: toWebhookRecord(payload, { rawBody, receivedAt: Date.now() }),
    payload,
    key: String(payload.rootEntityRef ?? payload.entityRef),
    topic: 'test',
    partition: 0,
    offset: '0',
    headers: {},
    attempt,
    logger: silentLogger,
    signal: new AbortController().signal,
  };
}
