/** Prometheus metrics of the order-status handler (registered once per registry; safe to create twice). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Which Fluent setting is in force for a retailer: `context` RETAILER, ACCOUNT or `none` (then `name` is empty). */
export interface SettingInForce {
  readonly retailer: string;
  /** The setting without its connector prefix, e.g. `order.payment-status-mapping`. */
  readonly setting: string;
  readonly name: string;
  readonly context: string;
}

export interface OrderStatusMetrics {
  /** `filtered`: skipped by ORDER_TYPES / ORDER_REF_PATTERN (the runtime counts it as skipped). */
  outcome(outcome: 'applied' | 'skipped' | 'filtered' | 'not_found' | 'error'): void;
  conflict(): void;
  staleSettings(): void;
  /** Replaces `previous` (the setting the retailer used before, if any) by `current`. */
  settingInForce(current: SettingInForce, previous?: SettingInForce): void;
  call(service: 'fluent' | 'commercetools', operation: string, seconds: number, outcome: 'ok' | 'error'): void;
  /** One batched read sent for `size` orders (downstream/read-coalescer.ts). */
  batch(service: 'fluent' | 'commercetools', operation: string, size: number): void;
}

export const NO_METRICS: OrderStatusMetrics = {
  outcome: () => undefined,
  conflict: () => undefined,
  staleSettings: () => undefined,
  settingInForce: () => undefined,
  call: () => undefined,
  batch: () => undefined,
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
  const settings =
    (registry.getSingleMetric('fc_order_status_setting_in_force') as Gauge<string> | undefined) ??
    new Gauge({
      name: 'fc_order_status_setting_in_force',
      help: 'Fluent mapping settings in force per retailer: 1 for the name and context read (context "none": not found)',
      labelNames: ['retailer', 'setting', 'name', 'context'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('fc_downstream_request_duration_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'fc_downstream_request_duration_seconds',
      help: 'Duration of Fluent and commercetools calls, including in-place retries',
      labelNames: ['service', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  const calls = counter(
    registry,
    'fc_downstream_calls_total',
    'Fluent and commercetools requests sent (a batched read counts once), by outcome',
    ['service', 'operation', 'outcome'],
  );
  const batchSizes =
    (registry.getSingleMetric('fc_downstream_batch_size') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'fc_downstream_batch_size',
      help: 'Orders per batched read request (reads of concurrent records coalesced into one)',
      labelNames: ['service', 'operation'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    });
  return {
    outcome: (outcome) => outcomes.inc({ outcome }),
    conflict: () => conflicts.inc(),
    staleSettings: () => stale.inc(),
    settingInForce: (current, previous) => {
      if (previous) settings.remove({ ...previous });
      settings.set({ ...current }, 1);
    },
    call: (service, operation, seconds, outcome) => {
      duration.observe({ service, operation, outcome }, seconds);
      calls.inc({ service, operation, outcome });
    },
    batch: (service, operation, size) => batchSizes.observe({ service, operation }, size),
  };
}
