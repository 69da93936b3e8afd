/**
 * W3C trace context for both services: a webhook's trace runs from the ingress request through its Kafka record
 * (`traceparent` header, docs/architecture.md, "Kafka contract") to the processor's handling and every Fluent and
 * commercetools call made for it.
 *
 * Spans always exist, so log lines (`trace_id`) and outgoing `traceparent` headers work without any tracing backend.
 * Only when OpenTelemetry export is on (`startTracing`, OTEL_EXPORTER_OTLP_ENDPOINT) are they real SDK spans that get
 * exported; otherwise they are ids only (a random span id under the parent's trace id), which costs next to nothing.
 * The current span lives in an AsyncLocalStorage, so code deep inside a record's handling (the HTTP layer) finds it
 * without being handed it. Parents are passed explicitly: no OpenTelemetry context manager and no auto-instrumentation
 * (a KafkaJS instrumentation would inject the batch's context over each record's own `traceparent`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { errorMessageOf } from './errors.js';

/** The identity of one span as W3C trace context carries it. */
export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

/** A started span: its ids, for headers and logs; attributes and the end only matter when export is on. */
export interface ActiveSpan {
  readonly context: TraceContext;
  /** The `traceparent` header naming this span as the parent. */
  traceparent(): string;
  setAttribute(name: string, value: string | number | boolean): void;
  /** Ends the span; an error marks it failed (its message, never a payload, is recorded). */
  end(error?: unknown): void;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/** A valid W3C `traceparent` (version ff and all-zero ids are invalid), or undefined. */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!match || match[1] === 'ff' || ZEROS.test(match[2]!) || ZEROS.test(match[3]!)) return undefined;
  return { traceId: match[2]!, spanId: match[3]!, sampled: (parseInt(match[4]!, 16) & 1) === 1 };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

// Ids come from a pooled buffer: one randomBytes call per 4 KiB instead of one per span (the ingress's hot path).
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return ZEROS.test(hex) ? randomHex(bytes) : hex;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

/** The exporting tracer while OpenTelemetry is on (startTracing / useTracerProvider), else undefined. */
let exporting: Tracer | undefined;

/** Spans from now on are SDK spans of `provider` (tests pass one with an in-memory exporter); undefined turns it off. */
export function useTracerProvider(provider: TracerProvider | undefined): void {
  exporting = provider?.getTracer('fluent-commercetools-connector');
}

export interface StartSpanOptions {
  readonly kind: SpanKindName;
  /** The parent: a context from a header, or undefined for the current span (a new trace when there is none). */
  readonly parent?: TraceContext | undefined;
  readonly attributes?: Attributes;
}

/** Starts a span: a child of `parent`, else of the current span, else the root of a new trace. */
export function startSpan(name: string, options: StartSpanOptions): ActiveSpan {
  const parent = options.parent ?? currentSpan()?.context;
  return exporting ? sdkSpan(exporting, name, options, parent) : idSpan(parent);
}

function idSpan(parent: TraceContext | undefined): ActiveSpan {
  const context: TraceContext = {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    sampled: parent?.sampled ?? true,
  };
  return {
    context,
    traceparent: () => formatTraceparent(context),
    setAttribute: () => undefined,
    end: () => undefined,
  };
}

function sdkSpan(tracer: Tracer, name: string, options: StartSpanOptions, parent: TraceContext | undefined) {
  const parentContext = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span: Span = tracer.startSpan(
    name,
    { kind: KINDS[options.kind], ...(options.attributes ? { attributes: options.attributes } : {}) },
    parentContext,
  );
  const ids = span.spanContext();
  const context: TraceContext = {
    traceId: ids.traceId,
    spanId: ids.spanId,
    sampled: (ids.traceFlags & 1) === 1, // W3C sampled flag (TraceFlags.SAMPLED)
  };
  return {
    context,
    traceparent: () => formatTraceparent(context),
    setAttribute: (key: string, value: string | number | boolean) => span.setAttribute(key, value),
    end: (error?: unknown) => {
      if (error !== undefined) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessageOf(error) });
      }
      span.end();
    },
  } satisfies ActiveSpan;
}

const scope = new AsyncLocalStorage<ActiveSpan>();

/** Runs `work` with `span` as the current span (what `currentSpan` and child spans see, across awaits). */
export function runInSpan<T>(span: ActiveSpan, work: () => T): T {
  return scope.run(span, work);
}

export function currentSpan(): ActiveSpan | undefined {
  return scope.getStore();
}

/** `trace_id` for a log line of the current span's work (empty outside one). */
export function traceLogFields(span: ActiveSpan | undefined = currentSpan()): { trace_id?: string } {
  return span ? { trace_id: span.context.traceId } : {};
}

/** Resolves when the exporter has flushed and stopped. */
export interface Tracing {
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: () => Promise.resolve() };

/**
 * Turns OpenTelemetry export on when OTEL_EXPORTER_OTLP_ENDPOINT is set (off by default): spans are batched and sent
 * as OTLP/HTTP; the exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself. The SDK is loaded only then,
 * so a service without tracing pays nothing for it.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  serviceName: string,
  options: { readonly onError?: (error: unknown) => void } = {},
): Promise<Tracing> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return OFF;
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  useTracerProvider(provider);
  return {
    shutdown: async () => {
      useTracerProvider(undefined);
      await provider.shutdown().catch((error: unknown) => options.onError?.(error));
    },
  };
}
