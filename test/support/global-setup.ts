/**
 * Integration infrastructure, in this order (docs/architecture.md, "Local infrastructure"):
 *   1. KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set;
 *   2. testcontainers when a Docker engine answers;
 *   3. else the local stack (deploy/local/stack.sh up: real Kafka + Apicurio fetched through Maven).
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
  project.provide('kafkaBrokers', `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`);
  project.provide('schemaRegistryUrl', `http://127.0.0.1:${process.env.REGISTRY_PORT ?? '8081'}/apis/ccompat/v7`);
  project.provide('infraSource', 'local-stack');
  return async () => {};
}
