/**
 * Dependency health of the ingress: whether Kafka and the schema registry answer (the checks of readiness.ts).
 * Reported on GET /health/dependencies and as the gauge fc_ingress_dependency_up{dependency}, never through
 * readiness: in a Kafka outage every pod would go unready at once, the load balancer would answer Fluent 503 without
 * Retry-After, and the PodDisruptionBudget would block node drains. The app itself answers 503 + Retry-After while
 * Kafka is down (docs/architecture.md, "Ingress responses"), so Fluent retries either way.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Readiness } from './readiness.js';

export const DEPENDENCY_UP_METRIC = 'fc_ingress_dependency_up';

/**
 * Registers fc_ingress_dependency_up{dependency} (1 = answers, 0 = not) on `registry`, measured at scrape time
 * through the shared, briefly cached check, so scrapes never multiply broker load.
 */
export function registerDependencyGauge(registry: Registry, dependencies: Readiness): void {
  if (registry.getSingleMetric(DEPENDENCY_UP_METRIC)) return;
  new Gauge({
    name: DEPENDENCY_UP_METRIC,
    help: 'Whether a dependency of the ingress answers (1) or not (0): kafka (webhook topic metadata), registry',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      const report = await dependencies.check();
      for (const [dependency, result] of Object.entries(report.checks)) this.set({ dependency }, result.ok ? 1 : 0);
    },
  });
}
