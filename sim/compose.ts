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
import { createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCommercetoolsSim } from './commercetools/index.js';
import { createWebhookSender, startFluentSim } from './fluent/index.js';
import { createWebhookSigner, type WebhookSigner } from './signing.js';

/** The order-status walk each simulated order goes through (statuses of the example mappings, docs/architecture.md, "Fluent"). */
const STATUS_WALK = ['RECEIVED', 'BOOKED', 'PICK_PACK', 'AWAITING_COURIER_COLLECTION', 'COMPLETE'] as const;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** A signer over a fixed PEM key, so the ingress can be configured with its public half ahead of time. */
function signerFromPem(pem: string): WebhookSigner {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const sign = (algorithm: 'sha512' | 'md5', body: Buffer | string) =>
    createSign(algorithm).update(body).sign(privateKey, 'base64');
  return {
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
    signSha512: (body) => sign('sha512', body),
    signMd5: (body) => sign('md5', body),
    headers: (body, options = {}) => ({
      'content-type': 'application/json',
      'fluent-signature': sign('sha512', body),
      ...(options.flex ? { 'flex.signature': sign('md5', body) } : {}),
    }),
  };
}

async function main(): Promise<void> {
  const host = process.env.SIM_HOST ?? '127.0.0.1';
  const connectorName = process.env.SIM_CONNECTOR_NAME ?? 'commercetools';
  const orders = intEnv('SIM_ORDERS', 20);
  const events = intEnv('SIM_EVENTS', 200);
  const intervalMs = intEnv('SIM_INTERVAL_MS', 250);
  const keyFile = process.env.SIM_SIGNING_KEY_FILE;
  const signer = keyFile ? signerFromPem(readFileSync(keyFile, 'utf8')) : createWebhookSigner();

  const fluent = await startFluentSim({ host, port: intEnv('FLUENT_SIM_PORT', 4000), seedMappingsFor: connectorName });
  const ct = await startCommercetoolsSim({
    host,
    port: intEnv('CT_SIM_PORT', 4001),
    ...(process.env.SIM_CT_SCHEMA_FILE ? { schemaPath: process.env.SIM_CT_SCHEMA_FILE } : {}),
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
    url: process.env.SIM_WEBHOOK_URL ?? 'http://127.0.0.1:8080/api/v1/fluent-connect/webhook',
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
