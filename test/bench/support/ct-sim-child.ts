/**
 * Child process for ct-client.bench.ts: a commercetools simulator (no added latency) with N orders, so the client
 * under test does not share its event loop. Prints one JSON line with the endpoints and order numbers, then serves
 * until its stdin closes.
 */
import { startCommercetoolsSim } from '../../../sim/commercetools/index.js';

const orders = Number(process.env.BENCH_CT_ORDERS ?? 2_000);
const ct = await startCommercetoolsSim();
const numbers = Array.from({ length: orders }, (_, i) => ct.store.createOrder({ orderNumber: `CTB_${i}` }).orderNumber);
process.stdout.write(
  `${JSON.stringify({
    authUrl: ct.authUrl,
    apiUrl: ct.apiUrl,
    credentials: ct.credentials,
    projectKey: ct.defaultProjectKey,
    orderNumbers: numbers,
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void ct.close().then(() => process.exit(0));
});
