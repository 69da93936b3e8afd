/** The handler's downstream metrics: requests per vendor and operation (a batch once) and batch sizes. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createOrderStatusMetrics } from '../../../../../processor/handlers/order-status/metrics.js';

describe('order-status metrics', () => {
  it('counts requests per service, operation and outcome, and observes batch sizes', async () => {
    const registry = new Registry();
    const metrics = createOrderStatusMetrics(registry);
    metrics.call('fluent', 'orders(ref)', 0.03, 'ok');
    metrics.call('fluent', 'orders(ref)', 0.02, 'ok');
    metrics.call('commercetools', 'updateOrder', 0.04, 'error');
    metrics.batch('fluent', 'orders(ref)', 57);
    metrics.batch('commercetools', 'orders query', 3);
    const text = await registry.metrics();
    expect(text).toContain('fc_downstream_calls_total{service="fluent",operation="orders(ref)",outcome="ok"} 2');
    expect(text).toContain(
      'fc_downstream_calls_total{service="commercetools",operation="updateOrder",outcome="error"} 1',
    );
    expect(text).toContain('fc_downstream_batch_size_bucket{le="50",service="fluent",operation="orders(ref)"} 0');
    expect(text).toContain('fc_downstream_batch_size_bucket{le="100",service="fluent",operation="orders(ref)"} 1');
    expect(text).toContain('fc_downstream_batch_size_sum{service="commercetools",operation="orders query"} 3');
  });

  it('registers once per registry: a second handler shares the series', async () => {
    const registry = new Registry();
    createOrderStatusMetrics(registry).batch('fluent', 'orders(ref)', 1);
    createOrderStatusMetrics(registry).batch('fluent', 'orders(ref)', 1);
    expect(await registry.metrics()).toContain(
      'fc_downstream_batch_size_count{service="fluent",operation="orders(ref)"} 2',
    );
  });
});
