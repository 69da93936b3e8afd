/**
 * What every route of the ingress shares, set on the root instance so it applies everywhere (404s included): bodies
 * kept as raw bytes, and one way of answering an error (status from the catalogue, JSON body, Retry-After on 503,
 * one log line per refusal).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { IngressError, errorBody, fromFastifyError } from './errors.js';
import type { IngressMetrics } from './metrics.js';
import { WEBHOOK_PATH } from './routes/webhook.js';
import { requestTraceFields } from './tracing.js';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * The signature covers the exact bytes, so a JSON body is kept as a Buffer and parsed only after verification. JSON
 * is UTF-8 (RFC 8259): another declared charset is refused (415) rather than decoded as UTF-8 into mojibake.
 */
export function useRawJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new IngressError('UNSUPPORTED_MEDIA_TYPE', `charset must be utf-8, got ${charset}`), undefined);
    } else done(null, body);
  });
}

export interface ErrorRepliesOptions {
  metrics: Pick<IngressMetrics, 'requests'>;
  logger: Logger;
  retryAfterSeconds: number;
  shuttingDown: () => boolean;
}

/** Answers every error (ours, Fastify's, unknown routes) with its status and JSON body, and counts and logs it. */
export function useErrorReplies(app: FastifyInstance, options: ErrorRepliesOptions): void {
  const { metrics, logger } = options;
  const retryAfter = String(options.retryAfterSeconds);

  function sendError(error: IngressError, request: FastifyRequest, reply: FastifyReply) {
    metrics.requests.inc({ outcome: error.code.toLowerCase() });
    const context = {
      code: error.code,
      status: error.status,
      ...requestTraceFields(request),
      ...(request.webhook ?? {}),
      ...error.details,
    };
    if (error.status === 500) {
      logger.error({ ...context, err: error.cause ?? error }, 'webhook failed unexpectedly');
    } else if (error.status >= 500) {
      // The batch failure itself is logged once with its stack (intake); per request the cause's message suffices.
      const cause = error.cause instanceof Error ? error.cause.message : undefined;
      logger.warn({ ...context, cause }, 'webhook not accepted');
    } else if (request.url.startsWith(WEBHOOK_PATH)) logger.info(context, 'webhook rejected');
    if (error.status === 503) reply.header('retry-after', retryAfter);
    if (options.shuttingDown()) reply.header('connection', 'close');
    return reply.code(error.status).send(errorBody(error));
  }

  app.setErrorHandler((error, request, reply) => sendError(fromFastifyError(error), request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new IngressError('NOT_FOUND', `no route ${request.method} ${request.url}`), request, reply),
  );
}
