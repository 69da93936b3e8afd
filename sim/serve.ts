/**
 * Runs both simulators standalone for manual runs of `npm run processor`: seeds the example mappings (docs/architecture.md, "Fluent"),
 * optionally a few orders, prints the processor environment, and stays up until Ctrl-C.
 *
 *   npx tsx sim/serve.ts [--fluent-port 4101] [--ct-port 4102] [--orders 3] [--latency 0]
 */
import { processorEnvFor } from './processor-env.js';
import { Command } from 'commander';
import { startCommercetoolsSim } from './commercetools/index.js';
import { startFluentSim } from './fluent/index.js';

const opts = new Command()
  .option('--fluent-port <n>', 'Fluent simulator port', '4101')
  .option('--ct-port <n>', 'commercetools simulator port', '4102')
  .option('--orders <n>', 'orders to seed in both systems (refs O_1..O_n, Fluent status RECEIVED)', '3')
  .option('--latency <ms>', 'added latency per call', '0')
  .option('--connector-name <name>', 'settings prefix fc.connect.<name>', 'commercetools')
  .parse()
  .opts<{ fluentPort: string; ctPort: string; orders: string; latency: string; connectorName: string }>();

const latencyMs = Number(opts.latency);
const fluent = await startFluentSim({
  port: Number(opts.fluentPort),
  seedMappingsFor: opts.connectorName,
  faults: { latencyMs },
});
const ct = await startCommercetoolsSim({ port: Number(opts.ctPort), faults: { latencyMs } });
for (let i = 1; i <= Number(opts.orders); i++) {
  fluent.store.upsertOrder({ id: String(i), ref: `O_${i}`, status: 'RECEIVED', retailerId: '1' });
  ct.store.createOrder({ orderNumber: `O_${i}` });
}

const env = {
  ...processorEnvFor(fluent, ct),
  CONNECTOR_NAME: opts.connectorName,
};
console.log('Simulators running (test credentials only). Processor environment:\n');
for (const [k, v] of Object.entries(env)) console.log(`export ${k}='${v}'`);

const stop = async () => {
  await Promise.all([fluent.close(), ct.close()]);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
