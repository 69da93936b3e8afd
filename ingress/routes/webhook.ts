/**
 * POST /api/v1/fluent-connect/webhook: hands the raw request to intake and answers 200 with its result; refusals
 * reach the error replies (../http.ts) as IngressErrors.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';
import type { Intake, WebhookIdentity } from '../intake.js';
import type { IngressMetrics } from '../metrics.js';

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
      const result = await intake.accept(request, (webhook) => {
        request.webhook = webhook;
      });
      metrics.requests.inc({ outcome: result.status });
      if (logger.isLevelEnabled('debug'))
        logger.debug({ ...request.webhook, outcome: result.status }, 'webhook accepted');
      return reply.code(200).send(result);
    } finally {
      metrics.inFlight.dec();
    }
  });
  done();
};
