/**
 * `npm run bench:ct-client`: CPU per commercetools GraphQL call, side by side and alternated in one run
 * (test/bench/README.md, "commercetools client"):
 *
 * - `connector (SDK, pooled fetch)`: the connector's CommercetoolsClient — @commercetools/platform-sdk + ts-client on
 *   the pooled undici Agent (HttpTransport.fetch), with the connector's error typing and metrics on top;
 * - `SDK alone (pooled fetch)`: the bare SDK call on the same fetch, to tell the SDK's cost from the connector's;
 * - `hand client (before)`: the previous hand-written undici client (support/ct-hand-client.ts);
 * - `SDK alone (Node fetch)`: the bare SDK on Node's global fetch (what the old comparison measured).
 *
 * All send the same order query to a commercetools simulator in a child process. Each round makes BENCH_CT_CALLS
 * calls with BENCH_CT_CONCURRENCY in flight and reports the client process's CPU per call (user + system) and the
 * wall-clock rate. Env: BENCH_CT_CALLS (3000), BENCH_CT_ROUNDS (3), BENCH_CT_CONCURRENCY (64).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ClientBuilder } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import { CommercetoolsClient } from '../../processor/commercetools/client.js';
import { CommercetoolsTenancy } from '../../processor/commercetools/credentials.js';
import { loadCommercetoolsDocuments } from '../../processor/commercetools/documents.js';
import { HttpTransport } from '../../processor/downstream/http.js';
import { fmt, intEnv, log, machine, table, writeResult } from './support/common.js';
import { HandCommercetoolsClient } from './support/ct-hand-client.js';

const calls = intEnv('BENCH_CT_CALLS', 3_000);
const rounds = intEnv('BENCH_CT_ROUNDS', 3);
const concurrency = intEnv('BENCH_CT_CONCURRENCY', 64);

interface Sim {
  authUrl: string;
  apiUrl: string;
  credentials: { clientId: string; clientSecret: string };
  projectKey: string;
  orderNumbers: string[];
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./support/ct-sim-child.ts', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, BENCH_CT_ORDERS: String(Math.min(calls, 5_000)) } },
);
const sim = JSON.parse(
  await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
) as Sim;

interface RoundResult {
  client: string;
  round: number;
  calls: number;
  seconds: number;
  callsPerSecond: number;
  cpuMicrosPerCall: number;
}

async function measure(client: string, round: number, call: (orderNumber: string) => Promise<unknown>) {
  await call(sim.orderNumbers[0]!); // token + connection warm-up outside the measurement
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        await call(sim.orderNumbers[i % sim.orderNumbers.length]!);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const result: RoundResult = {
    client,
    round,
    calls,
    seconds,
    callsPerSecond: calls / seconds,
    cpuMicrosPerCall: (cpu.user + cpu.system) / calls,
  };
  log(
    `  round ${round} ${client.padEnd(26)} ${fmt(result.callsPerSecond)} calls/s, ${fmt(result.cpuMicrosPerCall)} µs CPU/call`,
  );
  return result;
}

const documents = loadCommercetoolsDocuments();
const query = documents.orderByNumber.text;
const credentials = { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret };
const scopes = [`manage_orders:${sim.projectKey}`];
const transport = new HttpTransport({ service: 'commercetools', connections: concurrency });
const connector = new CommercetoolsClient({
  transport,
  documents,
});
const target = new CommercetoolsTenancy({
  authUrl: sim.authUrl,
  apiUrl: sim.apiUrl,
  ...credentials,
  projectKey: sim.projectKey,
  scope: 'manage_orders:{projectKey}',
}).target(sim.projectKey);
const hand = new HandCommercetoolsClient({
  apiUrl: sim.apiUrl,
  authUrl: sim.authUrl,
  ...credentials,
  projectKey: sim.projectKey,
  connections: concurrency,
});
const bareSdk = (httpClient: typeof fetch) =>
  createApiBuilderFromCtpClient(
    new ClientBuilder()
      .withClientCredentialsFlow({ host: sim.authUrl, projectKey: sim.projectKey, credentials, scopes, httpClient })
      .withHttpMiddleware({ host: sim.apiUrl, httpClient })
      .build(),
  ).withProjectKey({ projectKey: sim.projectKey });
const sdkPooled = bareSdk(transport.fetch as unknown as typeof fetch);
const sdkFetch = bareSdk(fetch);

const sdkCall = (sdk: typeof sdkPooled) => async (orderNumber: string) => {
  const response = await sdk
    .graphql()
    .post({ body: { query, variables: { orderNumber } } })
    .execute();
  if (!(response.body.data as { order?: unknown } | undefined)?.order)
    throw new Error(`order ${orderNumber} not found`);
};
const variants: Array<[string, (orderNumber: string) => Promise<void>]> = [
  [
    'connector (SDK, pooled fetch)',
    async (orderNumber) => {
      const order = await connector.findOrder(target, { by: 'orderNumber', value: orderNumber });
      if (!order) throw new Error(`order ${orderNumber} not found`);
    },
  ],
  ['SDK alone (pooled fetch)', sdkCall(sdkPooled)],
  [
    'hand client (before)',
    async (orderNumber) => {
      if (!(await hand.findOrder(query, orderNumber))) throw new Error(`order ${orderNumber} not found`);
    },
  ],
  ['SDK alone (Node fetch)', sdkCall(sdkFetch)],
];

const results: RoundResult[] = [];
try {
  log(`commercetools client CPU per call: ${calls} order queries × ${rounds} rounds, ${concurrency} in flight`);
  for (let round = 1; round <= rounds; round++) {
    for (const [name, call] of variants) results.push(await measure(name, round, call));
  }
} finally {
  await Promise.all([transport.close(), hand.close()]);
  child.stdin.end();
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const summary = variants.map(([client]) => {
  const mine = results.filter((r) => r.client === client);
  return {
    client,
    cpuMicrosPerCall: median(mine.map((r) => r.cpuMicrosPerCall)),
    callsPerSecond: median(mine.map((r) => r.callsPerSecond)),
  };
});
const handCpu = summary.find((s) => s.client === 'hand client (before)')!.cpuMicrosPerCall;
console.log(
  `\n${table(
    ['client', 'median µs CPU/call', '÷ hand client', 'median calls/s'],
    summary.map((s) => [
      s.client,
      fmt(s.cpuMicrosPerCall),
      `${fmt(s.cpuMicrosPerCall / handCpu, 2)}×`,
      fmt(s.callsPerSecond),
    ]),
  )}`,
);
console.log(
  `results: ${writeResult('ct-client', { machine: machine(), calls, rounds, concurrency, results, summary, handCpu })}`,
);
