/**
 * Entry of docker-compose.yml's `sim` profile (image stage `sim`): simulated Fluent and commercetools on fixed ports
 * plus a bounded stream of signed order-status webhooks sent to the ingress, so `docker compose --profile sim up`
 * shows the whole pipeline moving commercetools orders.
 *
 * Environment (defaults in brackets): SIM_HOST [127.0.0.1], FLUENT_SIM_PORT [4000], CT_SIM_PORT [4001],
 * SIM_WEBHOOK_URL [http://127.0.0.1:8080/api/v1/fluent-connect/webhook], SIM_SIGNING_KEY_FILE (PEM private key whose
 * public half the ingress trusts; default a fresh key, printed), SIM_CT_SCHEMA_FILE (commercetools SDL; default the
 * simulator's), SIM_CONNECTOR_NAME [commercetools], SIM_ORDERS [20], SIM_EVENTS [200], SIM_INTERVAL_MS [250].
 * The simulators keep running after the events are sent (the processor keeps calling them) until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { int, parseEnv, text, url } from '../common/env.js';
import { startCommercetoolsSim } from './commercetools/index.js';
import { createWebhookSender, startFluentSim } from './fluent/index.js';
import { createWebhookSigner, signerFromPem } from './signing.js';

/** The order-status walk each order goes through: statuses of the example mappings (docs/architecture.md, "Fluent"). */
const STATUS_WALK = ['RECEIVED', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'] as const;

const port = (fallback: number) => int({ default: fallback, min: 0, max: 65_535 });
const count = (fallback: number) => int({ default: fallback, min: 0, max: Number.MAX_SAFE_INTEGER });

const simEnvSchema = z.object({
  SIM_HOST: text('127.0.0.1'),
  FLUENT_SIM_PORT: port(4000),
  CT_SIM_PORT: port(4001),
  SIM_WEBHOOK_URL: url('http://127.0.0.1:8080/api/v1/fluent-connect/webhook'),
  SIM_SIGNING_KEY_FILE: text(),
  SIM_CT_SCHEMA_FILE: text(),
  SIM_CONNECTOR_NAME: text('commercetools'),
  SIM_ORDERS: count(20),
  SIM_EVENTS: count(200),
  SIM_INTERVAL_MS: count(250),
});

async function main(): Promise<void> {
  const env = parseEnv(simEnvSchema, process.env);
  const host = env.SIM_HOST;
  const orders = env.SIM_ORDERS;
  const events = env.SIM_EVENTS;
  const intervalMs = env.SIM_INTERVAL_MS;
  const keyFile = env.SIM_SIGNING_KEY_FILE;
  const signer = keyFile ? signerFromPem(readFileSync(keyFile, 'utf8')) : createWebhookSigner();

  const fluent = await startFluentSim({ host, port: env.FLUENT_SIM_PORT, seedMappingsFor: env.SIM_CONNECTOR_NAME });
  const ct = await startCommercetoolsSim({
    host,
    port: env.CT_SIM_PORT,
    ...(env.SIM_CT_SCHEMA_FILE ? { schemaPath: env.SIM_CT_SCHEMA_FILE } : {}),
  });
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...extra }));
  log('simulators listening', { fluent: fluent.url, commercetools: ct.apiUrl, publicKey: signer.publicKeyBase64 });

  const refs = Array.from({ length: orders }, (_, i) => `SIM_${String(i + 1).padStart(5, '0')}`);
  refs.forEach((ref, i) => {
    fluent.store.upsertOrder({ id: String(i + 1), ref, status: STATUS_WALK[0], retailerId: '1' });
    ct.store.createOrder({ orderNumber: ref });
  });

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([fluent.close(), ct.close()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());

  const sender = createWebhookSender({
    url: env.SIM_WEBHOOK_URL,
    signer,
  });
  let delivered = 0;
  for (let n = 0; n < events && !stopping && refs.length > 0; n += 1) {
    const index = n % refs.length;
    const ref = refs[index] as string;
    const status = STATUS_WALK[Math.min(Math.floor(n / refs.length) + 1, STATUS_WALK.length - 1)] as string;
    fluent.store.setOrderStatus({ ref }, status);
    const result = await sender.sendOrderStatus({ orderId: String(index + 1), orderRef: ref, status });
    if (result.delivered) delivered += 1;
    else log('webhook not delivered', { ref, status, lastStatus: result.status, attempts: result.attempts });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  log('events sent; simulators keep serving until stopped', { events, delivered });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
