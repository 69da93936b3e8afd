import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createIngressMetrics, observeRequestDurations, statusClass } from '../../../ingress/metrics.js';

describe('ingress metrics', () => {
  it('serves Node default metrics under their stock names (no fc_ingress_ prefix)', async () => {
    const names = (await createIngressMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(names.filter((n) => /^fc_ingress_(process|nodejs)_/.test(n))).toEqual([]);
  });

  it('times requests by route template and status class; unknown paths share one "unmatched" series', async () => {
    const metrics = createIngressMetrics({ defaultMetrics: false });
    const app = Fastify();
    observeRequestDurations(app, metrics);
    app.get('/orders/:id', (request, reply) =>
      reply.code((request.params as { id: string }).id === 'bad' ? 503 : 200).send('ok'),
    );
    for (const url of ['/orders/1', '/orders/2', '/orders/bad', '/scan/a', '/scan/b']) await app.inject({ url });
    await app.close();
    const values = (await metrics.registry.getMetricsAsJSON())
      .find((m) => m.name === 'fc_ingress_http_request_duration_seconds')!
      .values.filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))
      .map((v) => [`${v.labels.route} ${v.labels.status_class}`, v.value]);
    expect(Object.fromEntries(values)).toEqual({ '/orders/:id 2xx': 2, '/orders/:id 5xx': 1, 'unmatched 4xx': 2 });
  });

  it('classes statuses', () => {
    expect([200, 204, 301, 404, 413, 503].map(statusClass)).toEqual(['2xx', '2xx', '3xx', '4xx', '4xx', '5xx']);
  });
});
