/**
 * `npm run demo`: the whole connector on this machine, nothing external.
 *
 *   1. starts the local stack (real Kafka + schema registry, fetched through Maven on first run)
 *   2. starts the Fluent and commercetools simulators (seeded with orders and the documented mappings)
 *   3. provisions topics with `fc-connector topics create`, starts the ingress and the processor (real entry points)
 *   4. sends a stream of signed order-status webhooks (with Fluent-style duplicate deliveries) and shows progress
 *   5. waits until commercetools reflects every order, prints a table, and exits (or keeps running with --keep-running)
 *
 * The table depends only on the seed: every order ends in the states the status rule gives for its path
 * (docs/architecture.md, "Processing semantics"), whatever the timing; the demo checks each order against the rule
 * (sim/scenario.ts) and leaves timing-dependent figures (versions, writes, duration) to the summary line.
 */
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { buildOrderStatusEvent } from '../../sim/fluent/index.js';
import { startPipeline, type Pipeline } from '../../sim/pipeline.js';
import { buildScenarios, mismatches, prng, type OrderScenario } from '../../sim/scenario.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('must be an integer 1..100000');
  return n;
}

const program = new Command('demo')
  .description('Run the connector end to end on the embedded local stack with simulated Fluent and commercetools')
  .option('--orders <n>', 'orders to simulate', positiveInt, 50)
  .option('--seed <n>', 'scenario seed (same seed, same orders and statuses)', positiveInt, 42)
  .option(
    '--pace <ms>',
    "pause between one order's status changes (Fluent orders move over time)",
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 60_000) throw new InvalidArgumentError('must be an integer 0..60000');
      return n;
    },
    200,
  )
  .option('--keep-running', 'keep everything running afterwards and print curl examples', false)
  .option('--timeout <seconds>', 'how long to wait for commercetools to catch up', positiveInt, 120);
program.parse();
const options = program.opts<{ orders: number; seed: number; pace: number; keepRunning: boolean; timeout: number }>();

const stackDir = process.env.STACK_DIR ?? join(here, '.stack');
const runId = `${Date.now().toString(36)}`;
const log = (message: string) => console.log(`[demo] ${message}`);

function bar(title: string, total: number): cliProgress.SingleBar {
  const b = new cliProgress.SingleBar(
    {
      format: `[demo] ${title.padEnd(22)} {bar} {value}/{total} {rate}`,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { rate: '' });
  return b;
}

async function sendAll(pipeline: Pipeline, scenarios: OrderScenario[]): Promise<{ sent: number; events: number }> {
  const random = prng(options.seed);
  const total = scenarios.reduce((n, s) => n + s.statuses.length, 0);
  const progress = bar('webhooks accepted', total);
  const started = Date.now();
  let events = 0;
  let sent = 0;
  await Promise.all(
    scenarios.map(async (scenario) => {
      for (const [step, status] of scenario.statuses.entries()) {
        if (step > 0 && options.pace > 0) await new Promise((r) => setTimeout(r, options.pace * (0.5 + random())));
        pipeline.fluent.store.setOrderStatus({ ref: scenario.ref }, status);
        const event = buildOrderStatusEvent({ orderId: scenario.id, orderRef: scenario.ref, status });
        const copies = random() < 0.15 ? 2 : 1; // Fluent re-delivers the same event id after a slow answer
        const results = await Promise.all(Array.from({ length: copies }, () => pipeline.sender.send(event)));
        sent += copies;
        const failed = results.find((r) => r.status !== 200);
        if (failed) throw new Error(`webhook ${event.id} answered ${failed.status}: ${JSON.stringify(failed.body)}`);
        events += 1;
        progress.update(events, { rate: `${Math.round(events / ((Date.now() - started) / 1000 || 1))}/s` });
      }
    }),
  );
  progress.stop();
  return { sent, events };
}

async function waitConverged(pipeline: Pipeline, scenarios: OrderScenario[]): Promise<string[]> {
  const progress = bar('orders up to date', scenarios.length);
  const deadline = Date.now() + options.timeout * 1000;
  let problems: string[];
  for (;;) {
    problems = mismatches(scenarios, (ref) => pipeline.ct.store.getOrder({ orderNumber: ref }) ?? undefined);
    const badRefs = new Set(problems.map((p) => p.split(/[ :]/)[0]));
    progress.update(scenarios.length - badRefs.size);
    if (problems.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  progress.stop();
  return problems;
}

function printTable(pipeline: Pipeline, scenarios: OrderScenario[]): void {
  const rows = scenarios.map((s) => {
    const fluent = pipeline.fluent.store.getOrder({ ref: s.ref });
    const ct = pipeline.ct.store.getOrder({ orderNumber: s.ref });
    return [s.ref, fluent?.status ?? '?', ct?.orderState ?? '-', ct?.paymentState ?? '-', ct?.shipmentState ?? '-'];
  });
  const header = ['order ref', 'Fluent status', 'orderState', 'paymentState', 'shipmentState'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}

function printCurlExamples(pipeline: Pipeline, keyFile: string): void {
  const body = JSON.stringify(
    buildOrderStatusEvent({ orderId: '100000', orderRef: `DEMO_${options.seed}_100000`, status: 'COMPLETE' }),
  );
  console.log(`
Everything keeps running. Try:

  # health, metrics
  curl -s ${pipeline.ingressUrl}/health/ready; curl -s ${pipeline.processorUrl}/metrics | grep fc_

  # a signed webhook (RSA-SHA512 over the raw body, like Fluent)
  echo '${body}' > /tmp/webhook.json
  sig=$(openssl dgst -sha512 -sign ${keyFile} /tmp/webhook.json | base64 -w0)
  curl -s -X POST ${pipeline.ingressUrl}/api/v1/fluent-connect/webhook \\
    -H 'content-type: application/json' -H "fluent-signature: $sig" --data-binary @/tmp/webhook.json

  # an unsigned one is refused with 401
  curl -s -X POST ${pipeline.ingressUrl}/api/v1/fluent-connect/webhook -H 'content-type: application/json' --data-binary @/tmp/webhook.json

  # the operations CLI against the demo topics
  KAFKA_BROKERS=${pipeline.env.KAFKA_BROKERS} TOPIC_WEBHOOKS=${pipeline.topics.webhooks} npx fc-connector topics describe

Press Ctrl-C to stop.`);
}

async function main(): Promise<void> {
  log('starting the local stack (Kafka + schema registry)…');
  execFileSync('bash', [join(here, 'stack.sh'), 'up'], { stdio: 'inherit' });
  const topic = `demo.${runId}.webhooks`;
  log(`starting simulators, provisioning ${topic}*, starting ingress and processor…`);
  const pipeline = await startPipeline({
    kafkaBrokers: `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`,
    schemaRegistryUrl: `http://127.0.0.1:${process.env.REGISTRY_PORT ?? '8081'}/apis/ccompat/v7`,
    topic,
    groupId: `demo.${runId}.processor`,
    partitions: 6,
    retryDelays: '1s,5s,15s',
    logDir: join(stackDir, 'logs', `demo-${runId}`),
    env: { LOG_LEVEL: 'info' },
  });
  let exitCode = 0;
  try {
    log(
      `ingress ${pipeline.ingressUrl}, processor ${pipeline.processorUrl}, logs in ${join(stackDir, 'logs', `demo-${runId}`)}`,
    );
    const scenarios = buildScenarios(options.orders, options.seed, 'DEMO');
    for (const s of scenarios) {
      pipeline.fluent.store.upsertOrder({ id: s.id, ref: s.ref, status: 'CREATED', retailerId: '1' });
      pipeline.ct.store.createOrder({ orderNumber: s.ref });
    }
    const started = Date.now();
    const { sent, events } = await sendAll(pipeline, scenarios);
    const problems = await waitConverged(pipeline, scenarios);
    const seconds = (Date.now() - started) / 1000;
    printTable(pipeline, scenarios);
    const passedBooked = scenarios.filter((s) => s.statuses.at(-1) === 'COMPLETE' && s.statuses.includes('BOOKED'));
    const paid = passedBooked.filter(
      (s) => pipeline.ct.store.getOrder({ orderNumber: s.ref })?.paymentState === 'Paid',
    );
    log(`${paid.length} of ${passedBooked.length} COMPLETE orders whose path passed BOOKED show Paid`);
    const ct = pipeline.ct.stats;
    console.log(
      `\n${scenarios.length} orders, ${events} status events, ${sent} deliveries (${sent - events} duplicates) in ${seconds.toFixed(1)} s; ` +
        `commercetools: ${ct.updatesApplied} updates applied, ${ct.actionsApplied} actions, ${ct.conflicts} conflicts; ` +
        `Fluent: ${pipeline.fluent.stats.tokenRequests} token requests, ${pipeline.fluent.stats.graphqlRequests} GraphQL calls`,
    );
    if (problems.length > 0) {
      console.error(`\n[demo] ${problems.length} orders are not in the expected state:\n  ${problems.join('\n  ')}`);
      exitCode = 1;
    } else {
      log('every commercetools order is in the state the status rule gives for its Fluent path ✔');
    }
    if (options.keepRunning) {
      const keyFile = join(stackDir, `demo-${runId}-fluent-key.pem`);
      writeFileSync(keyFile, pipeline.sender.signer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
        mode: 0o600,
      });
      printCurlExamples(pipeline, keyFile);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    log('stopping ingress, processor and simulators (the stack keeps running: npm run stack:down stops it)');
    await pipeline.stop();
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(`[demo] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
