/** Prometheus metrics of the order-status handler (registered once per registry; safe to create twice). */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface OrderStatusMetrics {
  outcome(outcome: 'applied' | 'skipped' | 'not_found' | 'error'): void;
  conflict(): void;
  staleSettings(): void;
  call(service: 'fluent' | 'commercetools', operation: string, seconds: number, outcome: 'ok' | 'error'): void;
}

export const NO_METRICS: OrderStatusMetrics = {
  outcome: () => undefined,
  conflict: () => undefined,
  staleSettings: () => undefined,
  call: () => undefined,
};

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (
    (registry.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function createOrderStatusMetrics(registry: Registry | undefined): OrderStatusMetrics {
  if (!registry) return NO_METRICS;
  const outcomes = counter(registry, 'fc_order_status_outcomes_total', 'Order-status records by outcome', ['outcome']);
  const conflicts = counter(
    registry,
    'fc_order_status_conflicts_total',
    'commercetools ConcurrentModification answers that led to a re-read',
  );
  const stale = counter(
    registry,
    'fc_order_status_stale_settings_total',
    'Times Fluent settings were served stale because Fluent could not be reached',
  );
  const duration =
    (registry.getSingleMetric('fc_downstream_request_duration_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'fc_downstream_request_duration_seconds',
      help: 'Duration of Fluent and commercetools calls, including in-place retries',
      labelNames: ['service', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return {
    outcome: (outcome) => outcomes.inc({ outcome }),
    conflict: () => conflicts.inc(),
    staleSettings: () => stale.inc(),
    call: (service, operation, seconds, outcome) => duration.observe({ service, operation, outcome }, seconds),
  };
}
