/**
 * Child process for the processor benchmark: runs ONE processor (BENCH_VARIANT=ours → startProcessor + the
 * order-status handler, composed exactly as processor/main.ts does from environment variables; naive → the naive
 * eachMessage consumer around the same handler). It lives in its own process so the simulators (in the
 * parent) do not share its event loop or CPU accounting. Reports over IPC:
 *   {type:'ready', at}                         group joined (the clock for drain time starts here)
 *   {type:'progress', done, outcomes, firstAt, lastAt, cpuUs}   every 250 ms and on stop
 *   {type:'calls', byService}                 after stopping: fc_downstream_calls_total per service (cross-check)
 * Stops gracefully on {type:'stop'} (or SIGTERM), then exits 0.
 */
import { pino } from 'pino';
import * as prom from 'prom-client';
import { createRegistry, WebhookSerde } from '../../../schemas/index.js';
import { REDACT_PATHS } from '../../../common/index.js';
import { loadProcessorConfig } from '../../../processor/config.js';
import {
  createOrderStatusHandler,
  ORDER_STATUS_MESSAGE_NAMES,
} from '../../../processor/handlers/order-status/index.js';
import { Router } from '../../../processor/router.js';
import { startProcessor } from '../../../processor/runtime.js';
import { startNaiveProcessor } from '../naive-processor.js';
import { sumCallsByService } from './downstream-calls.js';

type Send = (message: unknown) => void;
const send: Send = (message) => process.send?.(message);

/** process.exit right after process.send would drop the message: exit once it is out (or at once without a parent). */
function exitAfterSending(message: unknown): void {
  if (!process.send || !process.connected) process.exit(0);
  process.send(message, () => process.exit(0));
}

async function main(): Promise<void> {
  const variant = process.env.BENCH_VARIANT === 'naive' ? 'naive' : 'ours';
  const config = loadProcessorConfig(process.env);
  const logger = pino({
    level: config.runtime.connection.logLevel,
    base: { service: `bench-processor-${variant}` },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  });
  const registry = new prom.Registry();
  const handler = createOrderStatusHandler({ env: process.env, logger, metrics: registry });

  let done = 0;
  let firstAt = 0;
  let lastAt = 0;
  const outcomes: Record<string, number> = {};
  const onRecord = (event: { outcome: string }): void => {
    const now = Date.now();
    if (done === 0) firstAt = now;
    lastAt = now;
    done++;
    outcomes[event.outcome] = (outcomes[event.outcome] ?? 0) + 1;
  };
  // CPU from group join on: start-up (tsx compiling, connecting) is not per-record work.
  let cpuStart = process.cpuUsage();
  const markReady = (): void => {
    cpuStart = process.cpuUsage();
    send({ type: 'ready', at: Date.now() });
  };
  const progress = (): void => {
    const cpu = process.cpuUsage(cpuStart);
    send({ type: 'progress', done, outcomes, firstAt, lastAt, cpuUs: cpu.user + cpu.system });
  };

  let stop: () => Promise<void>;
  if (variant === 'ours') {
    const router = new Router();
    for (const name of ORDER_STATUS_MESSAGE_NAMES) router.registerHandler(name, handler);
    const processor = await startProcessor({ config: config.runtime, router, logger, metrics: registry });
    processor.events.on('record', onRecord);
    // KafkaJS joins the group inside consumer.run(), so the join usually happened before startProcessor returned.
    if (processor.ready()) markReady();
    else processor.events.once('ready', markReady);
    stop = () => processor.stop();
  } else {
    const naive = await startNaiveProcessor({
      brokers: config.runtime.connection.kafka.brokers,
      topic: config.runtime.topics.webhooks,
      groupId: config.runtime.groupId,
      handler,
      serde: new WebhookSerde(createRegistry(config.runtime.connection.registry)),
      logger,
    });
    naive.events.on('record', onRecord);
    if (naive.ready()) markReady();
    else naive.events.once('ready', markReady);
    stop = () => naive.stop();
  }

  const timer = setInterval(progress, 250);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    progress();
    stop()
      .then(() => registry.getMetricsAsJSON())
      .then(
        (metrics) => exitAfterSending({ type: 'calls', byService: sumCallsByService(metrics) }),
        (error: unknown) => {
          console.error(`bench processor stop failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') shutdown();
  });
  process.on('SIGTERM', shutdown);
  process.on('disconnect', shutdown); // parent gone: never linger
}

main().catch((error: unknown) => {
  console.error(`bench processor failed to start: ${String(error)}`);
  process.exit(1);
});
