/**
 * POST /api/v1/fluent-connect/webhook: hands the raw request to intake and answers 200 with its result; refusals
 * reach the error replies (../http.ts) as IngressErrors.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';
import { runInSpan } from '../../common/tracing.js';
import type { Intake, WebhookIdentity } from '../intake.js';
import type { IngressMetrics } from '../metrics.js';
import { requestTraceFields } from '../tracing.js';

export const WEBHOOK_PATH = '/api/v1/fluent-connect/webhook';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the webhook is, once its payload is valid (null before): context for the log line of its outcome. */
    webhook: WebhookIdentity | null;
  }
}

export interface WebhookRouteOptions {
  intake: Intake;
  metrics: Pick<IngressMetrics, 'requests' | 'inFlight'>;
  logger: Logger;
}

export const webhookRoute: FastifyPluginCallback<WebhookRouteOptions> = (app, { intake, metrics, logger }, done) => {
  app.post(WEBHOOK_PATH, async (request, reply) => {
    metrics.inFlight.inc();
    try {
      // Inside the request's span, so the record's span is its child (../tracing.ts).
      const accept = () =>
        intake.accept(request, (webhook) => {
          request.webhook = webhook;
        });
      const result = await (request.span ? runInSpan(request.span, accept) : accept());
      metrics.requests.inc({ outcome: result.status });
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          { ...requestTraceFields(request), ...request.webhook, outcome: result.status },
          'webhook accepted',
        );
      return reply.code(200).send(result);
    } finally {
      metrics.inFlight.dec();
    }
  });
  done();
};
