/**
 * `replay`: copy selected records (default: from the DLQ) back to the main topic with their original key, value
 * bytes and headers; failure headers dropped (the attempt count restarts), fc-replayed-at/-from added.
 *
 * At-least-once per selection across interruptions: each batch is produced with acks=all and only then is its
 * position checkpointed, so a crash between the produce ack and the checkpoint write sends that batch again on resume
 * (the processor's idempotence absorbs it). The end offsets are frozen when the replay is planned and saved with the
 * selection, so records that fail again, or a main-to-main replay's own copies, are never read by a resume or --force.
 * This file is the command and its sequence; ../replay/ holds the plan (pure), the run (Kafka) and the rendering.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_STATE_DIR, describeStateDir } from '../context.js';
import { interrupted } from '../errors.js';
import { println, type CliIo } from '../io.js';
import { partitionOffsets, requireTopics } from '../kafka.js';
import { intParser, parseOffsetBounds, parseTopicName } from '../parse.js';
import { createProgress } from '../progress.js';
import { countInRanges, resolveRanges } from '../selection.js';
import { withSession, type Session } from '../session.js';
import { loadCheckpoint, lockReplay, saveCheckpoint, type ReplayCheckpoint } from '../replay/checkpoint.js';
import { planReplay, reconcile, type Reconciled, type ReplayPlan, type ReplayRequest } from '../replay/plan.js';
import { newCheckpoint, remainingRanges, restartCheckpoint, skipUnavailable } from '../replay/positions.js';
import {
  interruptedMessage,
  renderAlreadyComplete,
  renderComplete,
  renderDryRun,
  renderHeader,
  renderInterrupted,
  renderNothingToReplay,
  renderSkipped,
  renderStart,
  type ReplayMode,
} from '../replay/render.js';
import { completeCheckpoint, runReplay, scanReplay } from '../replay/run.js';
import type { PartitionRange } from '../read-ranges.js';
import { addFilterOptions } from './dlq.js';

interface ReplayOptions extends ReplayRequest {
  dryRun?: boolean;
  batchSize: number;
  sample: number;
}

const HELP = `
Selection: all records of the source unless narrowed by time (--since/--until, record timestamp), offsets
(--from-offset/--to-offset, inclusive; "120" for every partition or "p:o" pairs for some), --key, --name or
--error-class. Records keep their key (same partition, per-order order), value bytes and headers; fc-attempt
and the error headers are removed and fc-replayed-at / fc-replayed-from are added.

Resuming: the position reached per source partition is saved after every acknowledged batch in
<state-dir>/replay-<id>.json, with the selection (source, target, filters, time and offset bounds) and the
end offset of every partition, frozen when the replay was planned. Run the same command again (or
\`replay --id <id>\`) to continue where it stopped; offsets that retention deleted meanwhile are skipped
and reported. A finished replay does nothing when run again unless --force, which replays the same records
again (the saved selection within the frozen offsets: a replay of the main topic never re-reads its own
copies). The replay id is derived from the source, target and selection as typed, or set with --id.

Delivery is at-least-once: a batch's position is saved only after the target acknowledged it, so a crash
between the produce ack and the checkpoint write sends that batch again on resume; the processor is
idempotent, so the repeat changes nothing.

Examples:
  $ fc-connector replay --dry-run
  $ fc-connector replay --error-class CONFIGURATION --since 2024-05-01T00:00:00Z
  $ fc-connector replay --key O_123,O_124
  $ fc-connector replay --from-topic fluent.webhooks --since now-2h          # reprocess the last 2 hours
  $ fc-connector replay --from-topic fluent.webhooks --from-offset 0:1500,1:1320 --to-offset 0:1600,1:1400
  $ fc-connector replay --id after-mapping-fix --force                        # the same records again`;

export function replayCommand(io: CliIo): Command {
  const command = new Command('replay').description(
    'copy records back to the main topic (default source: the DLQ); resumable, at-least-once',
  );
  command
    .addOption(new Option('--from-topic <topic>', 'source topic (default: the DLQ)').argParser(parseTopicName))
    .addOption(new Option('--to-topic <topic>', 'target topic (default: the main topic)').argParser(parseTopicName))
    .addOption(
      new Option('--from-offset <offsets>', 'first offset, inclusive: N for all partitions or p:o[,p:o]').argParser(
        parseOffsetBounds,
      ),
    )
    .addOption(
      new Option('--to-offset <offsets>', 'last offset, inclusive: N for all partitions or p:o[,p:o]').argParser(
        parseOffsetBounds,
      ),
    );
  addFilterOptions(command)
    .option('--dry-run', 'show what would be replayed (counts and a sample); produce nothing')
    .option('--force', 'replay the same records again (the saved selection and frozen offsets), even when done')
    .addOption(
      new Option(
        '--id <id>',
        'name of this replay (checkpoint file name); default derived from the selection',
      ).argParser((v: string) => {
        if (!/^[A-Za-z0-9._-]{1,100}$/.test(v))
          throw new InvalidArgumentError('Use 1–100 letters, digits, ".", "_", "-".');
        return v;
      }),
    )
    .addOption(
      new Option('--state-dir <dir>', 'where replay checkpoints are kept (env FC_CONNECTOR_STATE_DIR)').default(
        DEFAULT_STATE_DIR,
        '$FC_CONNECTOR_STATE_DIR or .fc-connector',
      ),
    )
    .addOption(
      new Option('--batch-size <n>', 'records per acknowledged batch').argParser(intParser(1, 10_000)).default(500),
    )
    .addOption(new Option('--sample <n>', 'rows shown by --dry-run').argParser(intParser(0, 1_000)).default(10))
    .addHelpText('after', HELP)
    .addHelpText('after', () => `\n${describeStateDir(io)}`)
    .action(async (options: ReplayOptions, cmd: Command) => {
      await withSession(io, cmd, (session) => replay(session, options));
    });
  return command;
}

/** Plan, then (under the replay's lock) reconcile with its checkpoint and run, dry-run or report "done". */
async function replay(session: Session, options: ReplayOptions): Promise<void> {
  const { io, settings, client } = session;
  const requested = planReplay(options, { topics: settings.topics, stateDir: settings.stateDir, cwd: io.cwd });
  const release = options.dryRun ? () => Promise.resolve() : await lockReplay(requested.checkpointPath);
  try {
    const reconciled = reconcile(requested, await loadCheckpoint(requested.checkpointPath), options);
    const { plan } = reconciled;
    await requireTopics(client.admin, [...new Set([plan.source, plan.target])]);
    if (reconciled.kind === 'complete') {
      println(io.stdout, renderAlreadyComplete(plan, reconciled.checkpoint));
      return;
    }
    const mode = reconciled.kind;
    const { checkpoint, remaining } = await positionsToRead(session, reconciled);
    const header = renderHeader(plan, mode, Number(countInRanges(remaining)));
    if (options.dryRun) await dryRun(session, plan, remaining, header, options.sample);
    else await replayRemaining(session, plan, checkpoint, remaining, { header, mode, batchSize: options.batchSize });
  } finally {
    await release();
  }
}

/**
 * The checkpoint to follow and what is left of its ranges, clamped to the offsets the source has now: a partition
 * whose rest retention deleted is done (and said so) rather than waited on forever.
 */
async function positionsToRead(
  session: Session,
  reconciled: Exclude<Reconciled, { kind: 'complete' }>,
): Promise<{ checkpoint: ReplayCheckpoint; remaining: PartitionRange[] }> {
  const { client, io } = session;
  const { plan } = reconciled;
  const checkpoint =
    reconciled.kind === 'fresh'
      ? newCheckpoint(plan, await resolveRanges(client.admin, plan.source, plan.ranges), session.now())
      : reconciled.kind === 'again'
        ? restartCheckpoint(reconciled.checkpoint, session.now())
        : reconciled.checkpoint;
  const offsets = await partitionOffsets(client.admin, plan.source);
  const skipped = skipUnavailable(checkpoint, offsets);
  if (skipped.length > 0) println(io.stdout, renderSkipped(plan, skipped));
  return { checkpoint, remaining: remainingRanges(checkpoint, offsets) };
}

async function dryRun(
  session: Session,
  plan: ReplayPlan,
  remaining: readonly PartitionRange[],
  header: string,
  sample: number,
): Promise<void> {
  const scan = await scanReplay(session.client, plan.source, remaining, plan.filter, {
    sample,
    signal: session.io.signal,
  });
  println(session.io.stdout, renderDryRun(header, plan, scan));
  if (scan.result === 'interrupted') throw interrupted('dry run interrupted');
}

async function replayRemaining(
  session: Session,
  plan: ReplayPlan,
  checkpoint: ReplayCheckpoint,
  remaining: readonly PartitionRange[],
  options: { header: string; mode: ReplayMode; batchSize: number },
): Promise<void> {
  const { io } = session;
  const toScan = Number(countInRanges(remaining));
  println(io.stdout, renderStart(options.header, plan, options.mode, checkpoint));
  if (toScan === 0) {
    await completeCheckpoint(plan, checkpoint, session.now());
    println(io.stdout, renderNothingToReplay(plan, options.mode));
    return;
  }
  await saveCheckpoint(plan.checkpointPath, checkpoint);
  const progress = createProgress(io.stderr, { label: 'replay', total: toScan, now: session.now });
  let run;
  try {
    run = await runReplay(session.client, plan, checkpoint, remaining, {
      batchSize: options.batchSize,
      now: session.now,
      signal: io.signal,
      onBatch: (p) => progress.update(p.scanned, p.replayed),
    });
  } finally {
    progress.stop();
  }
  if (run.result !== 'complete') {
    println(io.stdout, renderInterrupted(plan, run, checkpoint));
    throw interrupted(interruptedMessage(plan));
  }
  println(io.stdout, renderComplete(plan, run));
}
