import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createProcessorMetrics, createProcessorRegistry, observeEndToEnd } from '../../../processor/metrics.js';
import { Headers } from '../../../schemas/index.js';

describe('processor metrics', () => {
  it('serves Node default metrics under their stock names (no fc_processor_ prefix)', async () => {
    const registry = createProcessorRegistry();
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    expect(names.filter((n) => n.startsWith('fc_processor_process') || n.startsWith('fc_processor_nodejs'))).toEqual(
      [],
    );
  });

  it('observes end-to-end seconds from fc-received-at by outcome; no header, no observation', async () => {
    const registry = new prom.Registry();
    const metrics = createProcessorMetrics(registry);
    observeEndToEnd(metrics, { [Headers.receivedAt]: Buffer.from('1000') }, 'applied', 3_500);
    observeEndToEnd(metrics, { [Headers.receivedAt]: '1000' }, 'dead-lettered', 1_250);
    observeEndToEnd(metrics, {}, 'applied', 3_500);
    const text = await registry.getSingleMetricAsString('fc_processor_end_to_end_duration_seconds');
    expect(text).toContain('fc_processor_end_to_end_duration_seconds_sum{outcome="applied"} 2.5');
    expect(text).toContain('fc_processor_end_to_end_duration_seconds_count{outcome="applied"} 1');
    expect(text).toContain('fc_processor_end_to_end_duration_seconds_sum{outcome="dead-lettered"} 0.25');
  });
});
