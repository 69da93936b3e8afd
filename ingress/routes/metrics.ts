/** GET /metrics: the Prometheus text exposition of the ingress registry. */
import type { FastifyPluginCallback } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsRouteOptions {
  registry: Registry;
}

export const metricsRoute: FastifyPluginCallback<MetricsRouteOptions> = (app, { registry }, done) => {
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
  done();
};
