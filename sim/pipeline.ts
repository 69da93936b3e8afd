/**
 * The whole connector as an operator runs it, on loopback: the Fluent and commercetools simulators in this process,
 * and the real entry points as child processes — `fc-connector topics create`, `ingress/server.ts`,
 * `processor/main.ts` — configured only through environment variables (docs/configuration.md). Used by the demo, the e2e test,
 * the end-to-end benchmark and the reliability suite.
 */
import { processorEnvFor } from './index.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCommercetoolsSim } from './commercetools/index.js';
import { createWebhookSender, startFluentSim } from './fluent/index.js';
import { topicNames, type TopicNames } from '../schemas/index.js';
import { freePort } from './common/ports.js';

type FluentSim = Awaited<ReturnType<typeof startFluentSim>>;
type CommercetoolsSim = Awaited<ReturnType<typeof startCommercetoolsSim>>;
type WebhookSender = ReturnType<typeof createWebhookSender>;

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

export interface PipelineOptions {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  /** Main topic (retry and DLQ names derive from it). */
  topic: string;
  groupId: string;
  partitions?: number;
  /** RETRY_DELAYS; default short tiers for local runs. */
  retryDelays?: string;
  /** Folder for the child processes' logs. */
  logDir: string;
  /** Extra environment for ingress and processor (e.g. PROCESSOR_CONCURRENCY). */
  env?: Record<string, string>;
  /** Latency added to every simulator call. */
  simLatencyMs?: number;
  /** Sender behaviour (Fluent-like retries of the same event id), delays scaled by this factor. */
  senderDelayScale?: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

export interface Pipeline {
  readonly fluent: FluentSim;
  readonly ct: CommercetoolsSim;
  readonly sender: WebhookSender;
  readonly topics: TopicNames;
  readonly ingressUrl: string;
  readonly processorUrl: string;
  readonly env: Record<string, string>;
  ingress: ServiceProcess;
  processor: ServiceProcess;
  startIngress(): Promise<void>;
  stopIngress(signal?: NodeJS.Signals): Promise<void>;
  startProcessor(): Promise<void>;
  stopProcessor(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

function spawnService(name: string, args: string[], env: Record<string, string>, log: WriteStream): ServiceProcess {
  // `node --import tsx`, not the tsx binary: the tsx CLI runs the service in a grandchild process, so a SIGKILL
  // would kill only the wrapper and leave the service running (holding its port and its consumer-group seat).
  // `--conditions=development`: a plugin importing 'fluent-commercetools-connector/processor' gets these sources.
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}

async function waitHealthy(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${service.name} exited with code ${exitCode} during start-up`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} not ready at ${url} within ${timeoutMs} ms`);
}

async function stopService(service: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 30_000);
  await service.exited;
  clearTimeout(timer);
}

/** Runs `fc-connector topics create` (the provisioning command operators use). */
export async function provisionTopics(env: Record<string, string>, partitions: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'fc-connector.js'), 'topics', 'create', '--partitions', String(partitions)],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`fc-connector topics create failed (exit ${code}):\n${output}`);
  return output;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  mkdirSync(options.logDir, { recursive: true });
  const fluent = await startFluentSim({ seedMappingsFor: 'commercetools' });
  const ct = await startCommercetoolsSim();
  if (options.simLatencyMs) {
    fluent.faults.set({ latencyMs: options.simLatencyMs });
    ct.faults.set({ latencyMs: options.simLatencyMs });
  }
  const ingressPort = await freePort();
  const processorPort = await freePort();
  const retryDelays = options.retryDelays ?? '1s,3s,10s';
  const topics = topicNames(options.topic, retryDelays.split(',').length);
  const sender = createWebhookSender({
    url: `http://127.0.0.1:${ingressPort}/api/v1/fluent-connect/webhook`,
    delayScale: options.senderDelayScale ?? 0.1,
  });

  const common: Record<string, string> = {
    KAFKA_BROKERS: options.kafkaBrokers,
    SCHEMA_REGISTRY_URL: options.schemaRegistryUrl,
    TOPIC_WEBHOOKS: options.topic,
    RETRY_DELAYS: retryDelays,
    CONSUMER_GROUP_ID: options.groupId,
    LOG_LEVEL: 'info',
  };
  const ingressEnv: Record<string, string> = {
    ...common,
    PORT: String(ingressPort),
    HOST: '127.0.0.1',
    FLUENT_WEBHOOK_PUBLIC_KEYS: sender.publicKeyBase64,
    // The simulated Fluent account (sim/fluent/store.ts); options.env may widen it.
    FLUENT_ACCOUNTS: 'ACME',
    KAFKA_CLIENT_ID: 'fc-ingress',
    ...options.env,
  };
  const processorEnv: Record<string, string> = {
    ...common,
    PORT: String(processorPort),
    HOST: '127.0.0.1',
    KAFKA_CLIENT_ID: 'fc-processor',
    ...processorEnvFor(fluent, ct),
    ...options.env,
  };

  await provisionTopics(common, options.partitions ?? 6);

  const ingressLog = createWriteStream(join(options.logDir, 'ingress.log'), { flags: 'a' });
  const processorLog = createWriteStream(join(options.logDir, 'processor.log'), { flags: 'a' });
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const processorUrl = `http://127.0.0.1:${processorPort}`;

  const pipeline: Pipeline = {
    fluent,
    ct,
    sender,
    topics,
    ingressUrl,
    processorUrl,
    env: { ...processorEnv, FLUENT_WEBHOOK_PUBLIC_KEYS: sender.publicKeyBase64 },
    ingress: undefined as unknown as ServiceProcess,
    processor: undefined as unknown as ServiceProcess,
    async startIngress() {
      pipeline.ingress = spawnService('ingress', ['ingress/server.ts'], ingressEnv, ingressLog);
      await waitHealthy(`${ingressUrl}/health/ready`, pipeline.ingress);
    },
    async stopIngress(signal = 'SIGTERM') {
      await stopService(pipeline.ingress, signal);
    },
    async startProcessor() {
      pipeline.processor = spawnService('processor', ['processor/main.ts'], processorEnv, processorLog);
      await waitHealthy(`${processorUrl}/health/ready`, pipeline.processor);
    },
    async stopProcessor(signal = 'SIGTERM') {
      await stopService(pipeline.processor, signal);
    },
    async stop() {
      await Promise.allSettled([
        pipeline.ingress ? stopService(pipeline.ingress, 'SIGTERM') : undefined,
        pipeline.processor ? stopService(pipeline.processor, 'SIGTERM') : undefined,
      ]);
      ingressLog.end();
      processorLog.end();
      await Promise.allSettled([fluent.close(), ct.close()]);
    },
  };
  try {
    await Promise.all([pipeline.startIngress(), pipeline.startProcessor()]);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  return pipeline;
}
