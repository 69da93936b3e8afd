/**
 * `npm run bench:ct-client`: CPU per commercetools GraphQL call of the connector's client (undici, own token cache)
 * against @commercetools/platform-sdk + @commercetools/ts-client sending the very same document, side by side and
 * alternated in one run. This is the measurement behind processor/commercetools/client.ts not using the SDK on the
 * hot path (test/bench/README.md, "Targets": ~3 downstream calls per message at ≥ 1,000 messages/s on 2 shared cores).
 *
 * The simulator runs in a child process; each round makes BENCH_CT_CALLS order queries with 64 in flight and reports
 * the client process's CPU per call (user + system) and wall-clock rate. Env: BENCH_CT_CALLS (3000),
 * BENCH_CT_ROUNDS (3), BENCH_CT_CONCURRENCY (64).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ClientBuilder } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import { CommercetoolsTokens } from '../../processor/commercetools/auth.js';
import { CommercetoolsClient } from '../../processor/commercetools/client.js';
import { loadCommercetoolsDocuments } from '../../processor/commercetools/documents.js';
import { HttpTransport } from '../../processor/downstream/http.js';
import { fmt, intEnv, log, machine, table, writeResult } from './support/common.js';

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
const transport = new HttpTransport({ service: 'commercetools', connections: concurrency });
const connector = new CommercetoolsClient({
  apiUrl: sim.apiUrl,
  transport,
  tokens: new CommercetoolsTokens(transport, {
    authUrl: sim.authUrl,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    scope: 'manage_orders:{projectKey}',
  }),
  documents,
});
const sdk = createApiBuilderFromCtpClient(
  new ClientBuilder()
    .withClientCredentialsFlow({
      host: sim.authUrl,
      projectKey: sim.projectKey,
      credentials: sim.credentials,
      scopes: [`manage_orders:${sim.projectKey}`],
      httpClient: fetch,
    })
    .withHttpMiddleware({ host: sim.apiUrl, httpClient: fetch })
    .build(),
).withProjectKey({ projectKey: sim.projectKey });

const query = documents.orderByNumber.text;
const results: RoundResult[] = [];
try {
  log(`commercetools client CPU per call: ${calls} order queries × ${rounds} rounds, ${concurrency} in flight`);
  for (let round = 1; round <= rounds; round++) {
    results.push(
      await measure('connector (undici)', round, async (orderNumber) => {
        const order = await connector.findOrder(sim.projectKey, { by: 'orderNumber', value: orderNumber });
        if (!order) throw new Error(`order ${orderNumber} not found`);
      }),
    );
    results.push(
      await measure('platform-sdk + ts-client', round, async (orderNumber) => {
        const response = await sdk
          .graphql()
          .post({ body: { query, variables: { orderNumber } } })
          .execute();
        if (!(response.body.data as { order?: unknown } | undefined)?.order) {
          throw new Error(`order ${orderNumber} not found`);
        }
      }),
    );
  }
} finally {
  await transport.close();
  child.stdin.end();
}

const summary = ['connector (undici)', 'platform-sdk + ts-client'].map((client) => {
  const mine = results.filter((r) => r.client === client);
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    client,
    cpuMicrosPerCall: median(mine.map((r) => r.cpuMicrosPerCall)),
    callsPerSecond: median(mine.map((r) => r.callsPerSecond)),
  };
});
console.log(
  `\n${table(
    ['client', 'median µs CPU/call', 'median calls/s'],
    summary.map((s) => [s.client, fmt(s.cpuMicrosPerCall), fmt(s.callsPerSecond)]),
  )}`,
);
const ratio = summary[1]!.cpuMicrosPerCall / summary[0]!.cpuMicrosPerCall;
console.log(`\nplatform-sdk costs ${fmt(ratio, 1)}× the connector client's CPU per call`);
console.log(
  `results: ${writeResult('ct-client', { machine: machine(), calls, rounds, concurrency, results, summary, ratio })}`,
);
