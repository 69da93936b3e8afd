/**
 * GET /health/live (the process answers), GET /health/ready (this pod takes webhooks: started and not shutting
 * down) and GET /health/dependencies (Kafka and the registry answer). Readiness is about the pod alone: a dependency
 * outage must not pull every pod out of the load balancer at once (dependency-health.ts says why); webhooks then get
 * 503 + Retry-After from the app itself.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Registry } from 'prom-client';
import { registerDependencyGauge } from '../dependency-health.js';
import type { Readiness } from '../readiness.js';

export interface HealthRoutesOptions {
  /** The dependency checks (readiness.ts): reported on /health/dependencies and the dependency gauge. */
  readiness: Readiness;
  shuttingDown: () => boolean;
  retryAfterSeconds: number;
  /** Where fc_ingress_dependency_up is registered (the app's metrics registry). */
  registry?: Registry;
  /** Why this pod must not take webhooks although it runs (readiness.ts schemaGate), or undefined. */
  notReady?: () => Promise<string | undefined>;
}

export const healthRoutes: FastifyPluginCallback<HealthRoutesOptions> = (app, options, done) => {
  const retryAfter = String(options.retryAfterSeconds);
  if (options.registry) registerDependencyGauge(options.registry, options.readiness);
  app.get('/health/live', () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    // Every 503 of this service carries Retry-After (docs/architecture.md, "Ingress responses"), probes included.
    if (options.shuttingDown()) {
      return reply.code(503).header('retry-after', retryAfter).send({ status: 'shutting-down' });
    }
    const reason = await options.notReady?.();
    if (reason !== undefined) {
      return reply.code(503).header('retry-after', retryAfter).send({ status: 'not-ready', reason });
    }
    return reply.code(200).send({ status: 'ready' });
  });
  app.get('/health/dependencies', async (_request, reply) => {
    const report = await options.readiness.check();
    if (!report.ready) reply.header('retry-after', retryAfter);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ok' : 'degraded', ...report });
  });
  done();
};
