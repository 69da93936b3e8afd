/**
 * `reconcile`: recover order-status changes whose webhooks never arrived (the ingress, its load balancer or Kafka
 * down for longer than Fluent's few retries). Lists the Fluent orders updated in a window and produces one synthetic
 * order-status event per order into the main topic, keyed and encoded as the ingress writes webhooks; the processor
 * then brings each commercetools order to the state its current Fluent status gives, writing only what differs.
 *
 * Streams page by page and checkpoints after every acknowledged page, so an interrupted sweep continues without
 * producing an acknowledged page twice. This file is the command and its sequence; ../reconcile/ holds the plan
 * (pure), the Fluent client, the event (pure), the sweep and the rendering.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Message } from 'kafkajs';
import { createRegistry, WebhookSerde } from '../../schemas/index.js';
import { DEFAULT_STATE_DIR } from '../context.js';
import { interrupted } from '../errors.js';
import { println, resolvePath, type CliIo } from '../io.js';
import { connectProducer, requireTopics } from '../kafka.js';
import { collectList, durationArg, intParser, parseTimePoint, type TimePoint } from '../parse.js';
import { settingsOf, withSession, type Session } from '../session.js';
import { loadCheckpoint, lockReconcile } from '../reconcile/checkpoint.js';
import { parseReconcileEnv, type ReconcileSettings } from '../reconcile/config.js';
import { DEFAULT_MESSAGE_NAME } from '../reconcile/event.js';
import { createFluentOrders } from '../reconcile/fluent.js';
import { planReconcile, reconcileWithCheckpoint, type ReconcilePlan } from '../reconcile/plan.js';
import { createSweepProgress } from '../reconcile/progress.js';
import {
  interruptedMessage,
  renderComplete,
  renderDryRun,
  renderInterrupted,
  renderStart,
  renderSummary,
} from '../reconcile/render.js';
import { runSweep, scanSweep, type SweepOptions } from '../reconcile/run.js';

interface ReconcileOptions {
  since?: { text: string; ms: number };
  from?: TimePoint;
  to?: TimePoint;
  retailer?: string[];
  dryRun?: boolean;
  restart?: boolean;
  id?: string;
  stateDir: string;
  pageSize: number;
  sample: number;
  messageName: string;
}

const HELP = `
Window: the orders whose updatedOn lies in [from, to], both inclusive: --since 6h (up to now) or
--from <ISO time> [--to <ISO time>] (e.g. from when an incident began). Fluent's orders search is asked for
that window and, when ORDER_TYPES is set, those order types (the order-status handler's filter);
--retailer keeps only the orders of those Fluent retailer ids.

Each order gives one event on the main topic, keyed by the order ref as the ingress keys webhooks, in the
webhook Avro record, payload type RECONCILIATION and header fc-source: reconcile. The processor handles it
like a webhook: it reads the order from Fluent now, applies the status rule and writes only what differs,
so orders that did not change cost no commercetools write and running reconcile again changes nothing.

Resuming: the cursor after every acknowledged page is saved in <state-dir>/reconcile-<id>.json with the
frozen window. Run the same command again to continue an interrupted sweep; once a sweep is complete, the
same command sweeps a new window (resolved then), as a schedule wants. --restart drops an unfinished sweep.

Reads FLUENT_BASE_URL, FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET, FLUENT_USERNAME, FLUENT_PASSWORD,
FLUENT_HTTP_TIMEOUT, FLUENT_ACCOUNT_ID (default FLUENT_CLIENT_ID) and ORDER_TYPES, as the processor does.

Examples:
  $ fc-connector reconcile --since 2h --dry-run
  $ fc-connector reconcile --from 2024-05-01T09:40:00Z --to 2024-05-01T11:15:00Z   # after an incident
  $ fc-connector reconcile --since 26h                                              # the nightly safety net
  $ fc-connector reconcile --since 6h --retailer 1,2`;

function sinceArg(value: string): { text: string; ms: number } {
  return { text: value.trim(), ms: durationArg(value) };
}

function idArg(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value))
    throw new InvalidArgumentError('Use 1–100 letters, digits, ".", "_", "-".');
  return value;
}

export function reconcileCommand(io: CliIo): Command {
  return new Command('reconcile')
    .description('re-send the current status of Fluent orders updated in a window (webhooks lost in an outage)')
    .addOption(new Option('--since <duration>', 'window: the last <duration> (30m, 6h, 2d)').argParser(sinceArg))
    .addOption(
      new Option('--from <time>', 'window start, inclusive (ISO 8601 with zone, or now-2h)').argParser(parseTimePoint),
    )
    .addOption(new Option('--to <time>', 'window end, inclusive (default: now)').argParser(parseTimePoint))
    .addOption(
      new Option('--retailer <ids>', 'only these Fluent retailer ids (comma list, repeatable)').argParser(collectList),
    )
    .option('--dry-run', 'count per Fluent status and list the first orders; produce nothing')
    .option('--restart', 'start a new sweep even when one with this selection is unfinished')
    .addOption(
      new Option(
        '--id <id>',
        'name of this reconciliation (checkpoint file); default derived from the flags',
      ).argParser(idArg),
    )
    .addOption(
      new Option('--state-dir <dir>', 'where checkpoints are kept (env FC_CONNECTOR_STATE_DIR)').default(
        DEFAULT_STATE_DIR,
        '$FC_CONNECTOR_STATE_DIR or .fc-connector',
      ),
    )
    .addOption(
      new Option('--page-size <n>', 'orders per Fluent page (Fluent allows 5,000)')
        .argParser(intParser(1, 5_000))
        .default(1_000),
    )
    .addOption(new Option('--sample <n>', 'orders listed by --dry-run').argParser(intParser(0, 1_000)).default(10))
    .addOption(
      new Option(
        '--message-name <name>',
        "the events' message name (a name routed to the order-status handler)",
      ).default(DEFAULT_MESSAGE_NAME),
    )
    .addHelpText('after', HELP)
    .action(async (options: ReconcileOptions, cmd: Command) => {
      const reconcileSettings = parseReconcileEnv(io.env);
      if (options.dryRun) {
        await dryRun(io, cmd, options, reconcileSettings);
        return;
      }
      await withSession(io, cmd, (session) => reconcile(session, options, reconcileSettings));
    });
}

function planOf(
  io: CliIo,
  options: ReconcileOptions,
  stateDir: string,
  topic: string,
  types: readonly string[],
  now: number,
): ReconcilePlan {
  return planReconcile(
    { since: options.since, from: options.from, to: options.to, retailer: options.retailer, id: options.id },
    // --state-dir wins over FC_CONNECTOR_STATE_DIR only when given (its default is the placeholder).
    {
      now,
      stateDir: resolvePath(io, options.stateDir === DEFAULT_STATE_DIR ? stateDir : options.stateDir),
      topic,
      types,
      messageName: options.messageName,
    },
  );
}

function sweepOptions(
  io: CliIo,
  settings: ReconcileSettings,
  plan: ReconcilePlan,
  options: ReconcileOptions,
): SweepOptions {
  return {
    fluent: createFluentOrders(settings.fluent, { correlationId: `reconcile-${plan.id}` }),
    pageSize: options.pageSize,
    now: io.now ?? Date.now,
    signal: io.signal,
  };
}

/** Lists and counts; needs Fluent only (no Kafka connection, no checkpoint). */
async function dryRun(io: CliIo, cmd: Command, options: ReconcileOptions, settings: ReconcileSettings): Promise<void> {
  const cli = settingsOf(io, cmd);
  const plan = planOf(io, options, cli.stateDir, cli.topics.webhooks, settings.types, (io.now ?? Date.now)());
  const progress = createSweepProgress(io.stderr, { label: 'reconcile (dry run)', now: io.now });
  let scan;
  try {
    scan = await scanSweep(plan.window, plan, {
      ...sweepOptions(io, settings, plan, options),
      sample: options.sample,
      onPage: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
  }
  println(io.stdout, renderDryRun(plan, scan));
  if (scan.result === 'interrupted') throw interrupted('dry run interrupted');
}

async function reconcile(session: Session, options: ReconcileOptions, settings: ReconcileSettings): Promise<void> {
  const { io, client } = session;
  const topic = session.settings.topics.webhooks;
  const plan = planOf(io, options, session.settings.stateDir, topic, settings.types, session.now());
  const release = await lockReconcile(plan.checkpointPath);
  try {
    const { kind, checkpoint } = reconcileWithCheckpoint(plan, await loadCheckpoint(plan.checkpointPath), {
      restart: options.restart,
      now: session.now(),
    });
    await requireTopics(client.admin, [topic]);
    println(io.stdout, renderStart(plan, kind, checkpoint));
    const { registry } = session.settings.connection;
    const serde = new WebhookSerde(
      createRegistry({ url: registry.url, username: registry.username, password: registry.password }),
    );
    const producer = await connectProducer(client);
    const progress = createSweepProgress(io.stderr, { label: 'reconcile', now: session.now });
    let run;
    try {
      run = await runSweep(
        checkpoint,
        plan.checkpointPath,
        {
          encode: (record) => serde.encode(topic, record),
          send: async (messages: Message[]) => {
            await producer.send({ topic, acks: -1, messages });
          },
        },
        { accountId: settings.accountId, messageName: options.messageName },
        { ...sweepOptions(io, settings, plan, options), onPage: (p) => progress.update(p) },
      );
    } finally {
      progress.stop();
      await producer.disconnect().catch(() => undefined);
    }
    println(io.stdout, renderSummary(plan, checkpoint, run));
    if (run.result === 'interrupted') {
      println(io.stdout, renderInterrupted(plan, checkpoint));
      throw interrupted(interruptedMessage(plan));
    }
    println(io.stdout, renderComplete(plan, checkpoint));
  } finally {
    await release();
  }
}
