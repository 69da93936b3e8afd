/**
 * One webhook's trace id, end to end: in the ingress's log line, on the Kafka record (traceparent), in every
 * processor log line of that record, and in the traceparent of every Fluent and commercetools call made for it. With
 * an SDK tracer provider installed, the spans (request → produce → record → calls) reach its in-memory exporter as
 * one tree, and the record keeps its own per-record traceparent (the produce span's), not a batch's.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTraceparent, useTracerProvider } from '../../../common/tracing.js';
import { Headers } from '../../../schemas/index.js';
import { eventually } from '../../support/kafka.js';
import { readRecords } from '../support/ingress.js';
import { startTraceBed, WEBHOOK, type TraceBed } from './support/trace-bed.js';

let t: TraceBed;
beforeAll(async () => {
  t = await startTraceBed();
}, 60_000);
afterAll(async () => {
  useTracerProvider(undefined);
  await t?.close();
});

/** Sends one BOOKED webhook and waits until its record is applied; returns its event id. */
async function deliver(ref: string, headers: Record<string, string> = {}): Promise<string> {
  const webhook = t.bookedWebhook(ref);
  const response = await t.ingress.inject({
    method: 'POST',
    url: WEBHOOK,
    payload: webhook.body,
    headers: { ...webhook.headers, ...headers },
  });
  expect(response.statusCode, response.body).toBe(200);
  await eventually(() => t.events.some((e) => e.eventId === webhook.id && e.outcome === 'applied'), 20_000);
  return webhook.id;
}

/** Calls made for one record: they carry its event id as X-Correlation-ID (docs/architecture.md, "Processing semantics"). */
function callsFor(eventId: string) {
  return t.calls.filter((c) => c.headers['x-correlation-id'] === eventId);
}

describe('trace context across ingress, Kafka and processor', () => {
  it("carries one webhook's trace id through the logs, the record and the outgoing calls' headers", async () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traceId = parseTraceparent(incoming)!.traceId;
    const eventId = await deliver(`TRACE_${Date.now().toString(36)}`, { traceparent: incoming });

    const accepted = t.ingressLog.find((l) => l.msg === 'webhook accepted' && l.id === eventId);
    expect(accepted?.trace_id).toBe(traceId);

    const [record] = (await readRecords(t.bed.topics.webhooks, 1)).filter((r) => r.value.id === eventId);
    expect(parseTraceparent(record?.headers[Headers.traceparent])?.traceId).toBe(traceId);

    const processorLines = t.processorLog.filter((l) => l.eventId === eventId);
    expect(processorLines.map((l) => l.msg)).toContain('record applied');
    expect(processorLines.every((l) => l.trace_id === traceId)).toBe(true);

    const calls = callsFor(eventId);
    const services = new Set(calls.map((c) => (c.origin === t.fluent.url ? 'fluent' : 'commercetools')));
    expect(services).toEqual(new Set(['fluent', 'commercetools']));
    for (const call of calls) {
      const parent = parseTraceparent(call.headers.traceparent);
      expect(parent?.traceId, `${call.origin}${call.path}`).toBe(traceId);
    }
    // Each call is its own span: distinct span ids, none equal to the record's.
    const spanIds = calls.map((c) => parseTraceparent(c.headers.traceparent)!.spanId);
    expect(new Set(spanIds).size).toBe(spanIds.length);
    expect(spanIds).not.toContain(parseTraceparent(record!.headers[Headers.traceparent])!.spanId);
  });

  it('exports the request, produce, record and call spans as one tree to the SDK exporter', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    useTracerProvider(provider);
    const eventId = await deliver(`OTEL_${Date.now().toString(36)}`);
    await eventually(() => exporter.getFinishedSpans().some((s) => s.name.startsWith('process ')), 10_000);
    await provider.forceFlush();
    useTracerProvider(undefined);

    const spans = exporter.getFinishedSpans();
    const byName = (prefix: string) => spans.filter((s) => s.name.startsWith(prefix));
    const [request] = byName(`POST ${WEBHOOK}`);
    const [produce] = byName('send ');
    const [consume] = byName('process ');
    expect(request && produce && consume).toBeTruthy();
    const traceId = request!.spanContext().traceId;
    const parentOf = (s: (typeof spans)[number]) => s.parentSpanContext?.spanId;
    expect(parentOf(produce!)).toBe(request!.spanContext().spanId);
    expect(parentOf(consume!)).toBe(produce!.spanContext().spanId);
    const calls = spans.filter((s) => parentOf(s) === consume!.spanContext().spanId);
    expect(calls.map((s) => s.attributes['peer.service'])).toEqual(expect.arrayContaining(['fluent', 'commercetools']));
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);

    // The record's header names its own produce span.
    const record = (await readRecords(t.bed.topics.webhooks, 2)).find((r) => r.value.id === eventId);
    expect(parseTraceparent(record?.headers[Headers.traceparent])?.spanId).toBe(produce!.spanContext().spanId);
    // And the calls' headers name the exported call spans.
    const sent = callsFor(eventId).map((c) => parseTraceparent(c.headers.traceparent)!.spanId);
    expect(sent.sort()).toEqual(calls.map((s) => s.spanContext().spanId).sort());
  });
});
