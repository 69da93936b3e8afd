/**
 * Integration infrastructure, in this order (docs/architecture.md, "Local infrastructure"):
 *   1. KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set;
 *   2. testcontainers when a Docker engine answers;
 *   3. else the local stack (deploy/local/stack.sh up: real Kafka + Apicurio fetched through Maven). The stack's own
 *      knobs pick which one: STACK_BROKERS=3 (a replicated cluster on its own ports), KAFKA_VERSION=4.x, KAFKA_PORT…;
 *      the addresses come from `stack.sh env`, so every knob the script knows works here too.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { dockerAvailable, startContainers } from './containers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
    infraSource: 'env' | 'testcontainers' | 'local-stack';
  }
}

const stackScript = fileURLToPath(new URL('../../deploy/local/stack.sh', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const envBrokers = process.env.KAFKA_BROKERS;
  const envRegistry = process.env.SCHEMA_REGISTRY_URL;
  if (envBrokers && envRegistry) {
    project.provide('kafkaBrokers', envBrokers);
    project.provide('schemaRegistryUrl', envRegistry);
    project.provide('infraSource', 'env');
    return async () => {};
  }
  if (await dockerAvailable()) {
    const containers = await startContainers();
    project.provide('kafkaBrokers', containers.kafkaBrokers);
    project.provide('schemaRegistryUrl', containers.schemaRegistryUrl);
    project.provide('infraSource', 'testcontainers');
    return containers.stop;
  }
  // Idempotent: reuses a stack that is already up and leaves it running for the next run.
  execFileSync('bash', [stackScript, 'up'], { stdio: 'inherit' });
  const addresses = stackAddresses();
  project.provide('kafkaBrokers', addresses.KAFKA_BROKERS);
  project.provide('schemaRegistryUrl', addresses.SCHEMA_REGISTRY_URL);
  project.provide('infraSource', 'local-stack');
  return async () => {};
}

/** `stack.sh env`: the bootstrap list and registry URL of the stack the environment selects. */
function stackAddresses(): { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string } {
  const lines = execFileSync('bash', [stackScript, 'env'], { encoding: 'utf8' }).trim().split('\n');
  const values = Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL } = values;
  if (!KAFKA_BROKERS || !SCHEMA_REGISTRY_URL)
    throw new Error(`stack.sh env printed no addresses:\n${lines.join('\n')}`);
  return { KAFKA_BROKERS, SCHEMA_REGISTRY_URL };
}
