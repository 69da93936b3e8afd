/**
 * A private replicated Kafka cluster (KRaft, every node broker + controller) with its own schema registry, for tests
 * that kill brokers, the controller or the registry: deploy/local/stack.sh with STACK_BROKERS, its own STACK_DIR and
 * a free block of ports, so the shared single broker on 9092 is never touched. The jars come from the shared
 * deploy/local/.stack/lib (STACK_LIB_DIR's default).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const stackScript = fileURLToPath(new URL('../../deploy/local/stack.sh', import.meta.url));

export interface PrivateCluster {
  /** Bootstrap list, every node. */
  readonly brokers: string;
  /** Confluent-compatible API of the cluster's own registry. */
  readonly registryUrl: string;
  readonly nodeIds: readonly number[];
  readonly kafkaVersion: string;
  /** SIGKILL one node (no controlled shutdown: its partitions and, if it led, the quorum need an election). */
  killBroker(nodeId: number): Promise<void>;
  /** Node id of the active KRaft controller (the quorum leader). */
  controller(): Promise<number>;
  /** SIGKILL the schema registry. */
  killRegistry(): void;
  /** Starts whatever is not running (killed nodes, the registry) and waits until it is ready. */
  startMissing(): Promise<void>;
  /** Stops everything and removes the data. */
  destroy(): Promise<void>;
}

export interface PrivateClusterOptions {
  /** Nodes (default 3). */
  brokers?: number;
  /** Default: the stack's (KAFKA_VERSION or pom.xml). */
  kafkaVersion?: string;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port with `count` free ports after it (stack.sh gives node i the port base + i - 1). */
async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return base;
  }
  throw new Error(`no block of ${count} free ports found`);
}

export async function startPrivateCluster(options: PrivateClusterOptions = {}): Promise<PrivateCluster> {
  const nodes = options.brokers ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'fc-cluster-'));
  // One block: brokers, then controllers, then the registry.
  const base = await freePortBlock(2 * nodes + 1);
  const registryPort = base + 2 * nodes;
  const env = {
    ...process.env,
    STACK_DIR: dir,
    STACK_BROKERS: String(nodes),
    KAFKA_PORT: String(base),
    KAFKA_CONTROLLER_PORT: String(base + nodes),
    REGISTRY_PORT: String(registryPort),
    STACK_COMPONENTS: 'kafka registry',
    ...(options.kafkaVersion ? { KAFKA_VERSION: options.kafkaVersion } : {}),
  };
  const stack = async (...args: string[]) =>
    (await run('bash', [stackScript, ...args], { env, timeout: 240_000 })).stdout.trim();
  const kafkaVersion = (await stack('status').catch((e: { stdout?: string }) => e.stdout ?? '')).match(
    /Kafka (\S+),/,
  )?.[1];
  await stack('up');
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  return {
    brokers: nodeIds.map((id) => `127.0.0.1:${base + id - 1}`).join(','),
    registryUrl: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    nodeIds,
    kafkaVersion: kafkaVersion ?? 'unknown',
    killBroker: async (nodeId) => void (await stack('kill-broker', String(nodeId))),
    controller: async () => Number(await stack('controller')),
    killRegistry: () => {
      try {
        process.kill(Number(readFileSync(join(dir, 'run', 'registry.pid'), 'utf8')), 'SIGKILL');
      } catch {
        // not running
      }
    },
    startMissing: async () => void (await stack('up')),
    destroy: async () => {
      await stack('down').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
