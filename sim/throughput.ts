/**
 * Measures how many GraphQL requests per second the simulators serve on loopback, so benchmark results can be
 * attributed to the connector rather than to the simulators. Run: `npx tsx sim/throughput.ts [seconds]
 * [latencyMs]`. Prints one JSON line per scenario. The load generator (autocannon CLI) runs as a child process so
 * it does not share the simulators' event loop.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCommercetoolsSim } from './commercetools/index.js';
import { passwordGrantForm, startFluentSim } from './fluent/index.js';

const seconds = Number(process.argv[2] ?? 3);
const latencyMs = Number(process.argv[3] ?? 0);
const connections = latencyMs > 0 ? 100 : 20;

const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

async function run(name: string, url: string, headers: Record<string, string>, body: string) {
  const args = [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-b', body];
  for (const [k, v] of Object.entries({ 'content-type': 'application/json', ...headers })) args.push('-H', `${k}=${v}`);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as AutocannonResult;
  const non2xx = result.non2xx;
  console.log(
    JSON.stringify({
      scenario: name,
      latencyMs,
      connections,
      requestsPerSecond: Math.round(result.requests.average),
      p99Ms: result.latency.p99,
      non2xx,
      errors: result.errors,
    }),
  );
}

const fluent = await startFluentSim({ seedMappingsFor: 'commercetools', faults: { latencyMs } });
const ct = await startCommercetoolsSim({ faults: { latencyMs } });
try {
  fluent.store.upsertOrder({ id: '123', ref: 'O_123', status: 'BOOKED' });
  const tokenRes = await fetch(`${fluent.url}/oauth/token`, {
    method: 'POST',
    body: passwordGrantForm(fluent.credentials),
  });
  const fluentToken = ((await tokenRes.json()) as { access_token: string }).access_token;
  await run(
    'fluent orderById',
    `${fluent.url}/graphql`,
    { authorization: `Bearer ${fluentToken}` },
    JSON.stringify({
      query: 'query O($id: ID!) { orderById(id: $id) { id ref status retailer { id } attributes { name value } } }',
      variables: { id: '123' },
    }),
  );

  const order = ct.store.createOrder({ orderNumber: 'O_123' });
  const basic = Buffer.from(`${ct.credentials.clientId}:${ct.credentials.clientSecret}`).toString('base64');
  const ctTokenRes = await fetch(`${ct.authUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=manage_orders:my-project',
  });
  const ctToken = ((await ctTokenRes.json()) as { access_token: string }).access_token;
  await run(
    'commercetools order',
    `${ct.apiUrl}/my-project/graphql`,
    { authorization: `Bearer ${ctToken}` },
    JSON.stringify({
      query: 'query O($n: String) { order(orderNumber: $n) { id version orderState paymentState shipmentState } }',
      variables: { n: 'O_123' },
    }),
  );
  // A no-op update (state already Open) exercises the whole mutation path without changing the version.
  await run(
    'commercetools updateOrder',
    `${ct.apiUrl}/my-project/graphql`,
    { authorization: `Bearer ${ctToken}` },
    JSON.stringify({
      query:
        'mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) ' +
        '{ search: updateOrder(id: $id, version: $version, actions: $actions) { id } }',
      variables: { id: order.id, version: 1, actions: [{ changeOrderState: { orderState: 'Open' } }] },
    }),
  );
} finally {
  await fluent.close();
  await ct.close();
}
