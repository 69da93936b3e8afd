/** GET /health/live (the process answers) and GET /health/ready (Kafka and the registry answer, not shutting down). */
import type { FastifyPluginCallback } from 'fastify';
import type { Readiness } from '../readiness.js';

export interface HealthRoutesOptions {
  readiness: Readiness;
  shuttingDown: () => boolean;
  retryAfterSeconds: number;
}

export const healthRoutes: FastifyPluginCallback<HealthRoutesOptions> = (app, options, done) => {
  const retryAfter = String(options.retryAfterSeconds);
  app.get('/health/live', () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    // Every 503 of this service carries Retry-After (docs/architecture.md, "Ingress responses"), probes included.
    if (options.shuttingDown()) {
      return reply.code(503).header('retry-after', retryAfter).send({ status: 'shutting-down' });
    }
    const report = await options.readiness.check();
    if (!report.ready) reply.header('retry-after', retryAfter);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not-ready', ...report });
  });
  done();
};
