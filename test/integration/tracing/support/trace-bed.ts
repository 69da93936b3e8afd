/**
 * One webhook through both services in this process, on the real broker and registry: the ingress app (real Kafka
 * producer), the processor (order-status handler against both simulators), every log line of both kept as JSON, and
 * the headers of every outgoing HTTP call as undici wrote them on the wire.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from '../../../../ingress/app.js';
import { loadIngressConfig } from '../../../../ingress/config.js';
import { createKafkaAdapter, type ProducerAdapter } from '../../../../ingress/kafka.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../../processor/handlers/order-status/index.js';
import { Router } from '../../../../processor/router.js';
import { startProcessor, type RecordEvent, type RunningProcessor } from '../../../../processor/runtime.js';
import { downstreamServices, traceOutgoingCalls } from '../../../../processor/tracing.js';
import { startCommercetoolsSim, type CommercetoolsSim } from '../../../../sim/commercetools/index.js';
import { startFluentSim, type FluentSim } from '../../../../sim/fluent/index.js';
import { eventually, infra, testSerde } from '../../../support/kafka.js';
import { signer, WEBHOOK } from '../../support/ingress.js';
import { handlerConfig } from '../../support/order-status.js';
import { testBed, type TestBed } from '../../support/processor.js';

export type LogLine = Record<string, unknown> & { msg: string };

/** A debug-level pino logger whose lines land in `lines`. */
function capturingLogger(lines: LogLine[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

export interface OutgoingCall {
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

export interface TraceBed {
  readonly bed: TestBed;
  readonly fluent: FluentSim;
  readonly ct: CommercetoolsSim;
  readonly ingress: FastifyInstance;
  readonly processor: RunningProcessor;
  readonly ingressLog: LogLine[];
  readonly processorLog: LogLine[];
  readonly calls: OutgoingCall[];
  readonly events: RecordEvent[];
  /** A Fluent order in RECEIVED and its commercetools twin; returns the signed webhook saying it is now BOOKED. */
  bookedWebhook(ref: string): { body: string; headers: Record<string, string>; id: string };
  close(): Promise<void>;
}

/** undici:client:sendHeaders gives the request line and headers exactly as written to the socket. */
function recordCalls(calls: OutgoingCall[]): () => void {
  const onSend = (message: unknown): void => {
    const { request, headers } = message as { request: { origin: string; path: string }; headers: string };
    const parsed: Record<string, string> = {};
    for (const line of headers.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    calls.push({ origin: String(request.origin), path: request.path, headers: parsed });
  };
  subscribe('undici:client:sendHeaders', onSend);
  return () => unsubscribe('undici:client:sendHeaders', onSend);
}

export async function startTraceBed(): Promise<TraceBed> {
  const [fluent, ct, bed] = await Promise.all([
    startFluentSim({ seedMappingsFor: 'commercetools' }),
    startCommercetoolsSim(),
    testBed({ partitions: 1, retryDelays: '200ms' }),
  ]);
  const ingressLog: LogLine[] = [];
  const processorLog: LogLine[] = [];
  const calls: OutgoingCall[] = [];
  const events: RecordEvent[] = [];
  const stopRecording = recordCalls(calls);
  const stopTracing = traceOutgoingCalls(
    downstreamServices({ FLUENT_BASE_URL: fluent.url, CT_API_URL: ct.apiUrl, CT_AUTH_URL: ct.authUrl }),
  );

  const config = loadIngressConfig({
    KAFKA_BROKERS: infra().kafkaBrokers,
    SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
    TOPIC_WEBHOOKS: bed.topics.webhooks,
    FLUENT_WEBHOOK_PUBLIC_KEYS: signer().publicKeyBase64,
    LOG_LEVEL: 'debug',
    FLUENT_ACCOUNTS: '*',
  });
  const ingressLogger = capturingLogger(ingressLog);
  const producer: ProducerAdapter = createKafkaAdapter(config.connection.kafka, { logger: ingressLogger });
  await producer.connect();
  const ingress = await buildApp(config, { producer, serde: testSerde(), logger: ingressLogger });

  const processorLogger = capturingLogger(processorLog);
  const router = new Router();
  const handler = createOrderStatusHandler({ config: handlerConfig(fluent, ct), logger: processorLogger });
  for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
  const processor = await startProcessor({ config: bed.config(), router, logger: processorLogger });
  processor.events.on('record', (e: RecordEvent) => events.push(e));
  await eventually(() => processor.ready(), 20_000);

  return {
    bed,
    fluent,
    ct,
    ingress,
    processor,
    ingressLog,
    processorLog,
    calls,
    events,
    bookedWebhook(ref) {
      const order = fluent.store.upsertOrder({ ref, status: 'BOOKED' });
      ct.store.createOrder({ orderNumber: ref });
      const id = `evt-${ref}`;
      const body = JSON.stringify({
        id,
        name: ORDER_STATUS_MESSAGE_NAMES[0],
        accountId: 'ACME',
        retailerId: '1',
        entityId: order.id,
        entityRef: ref,
        entityType: 'ORDER',
        entityStatus: 'BOOKED',
        rootEntityId: order.id,
        rootEntityRef: ref,
        rootEntityType: 'ORDER',
        type: 'NORMAL',
        attributes: {},
      });
      return { body, headers: signer().headers(body), id };
    },
    async close() {
      await processor.stop();
      await ingress.close();
      await producer.disconnect();
      stopTracing();
      stopRecording();
      await Promise.all([fluent.close(), ct.close()]);
    },
  };
}

export { WEBHOOK };
