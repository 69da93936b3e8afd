/**
 * `replay`: copy selected records (default: from the DLQ) back to the main topic with their original key, value
 * bytes and headers; failure headers dropped (the attempt count restarts), fc-replayed-at/-from added.
 *
 * Exactly-once per selection across interruptions: each batch is produced with acks=all and only then is the
 * position checkpointed; the end offsets are frozen at the start, so records that fail again and return to the DLQ
 * during the replay are not replayed in a loop, and re-running a finished replay does nothing unless --force.
 */
import { createHash } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { InterruptedError, UsageError } from '../errors.js';
import { dash, iso, table } from '../format.js';
import { println, resolvePath, type CliIo } from '../io.js';
import { connectProducer, readRanges, requireTopics, type PartitionRange } from '../kafka.js';
import { intParser, parseOffsetBounds, parseTopicName, type OffsetBounds } from '../parse.js';
import { createProgress } from '../progress.js';
import { matches, replayMessage, summarize, type RecordSummary } from '../records.js';
import { countInRanges, resolveRanges } from '../selection.js';
import { withSession, type Session } from '../session.js';
import { checkpointPath, loadCheckpoint, lockReplay, saveCheckpoint, type ReplayCheckpoint } from '../checkpoint.js';
import { addFilterOptions, filterOf, type FilterOptions } from './dlq.js';

interface ReplayOptions extends FilterOptions {
  fromTopic?: string;
  toTopic?: string;
  fromOffset?: OffsetBounds;
  toOffset?: OffsetBounds;
  dryRun?: boolean;
  force?: boolean;
  id?: string;
  stateDir?: string;
  batchSize: number;
  sample: number;
}

const HELP = `
Selection: all records of the source unless narrowed by time (--since/--until, record timestamp), offsets
(--from-offset/--to-offset, inclusive; "120" for every partition or "p:o" pairs for some), --key, --name or
--error-class. Records keep their key (same partition, per-order order), value bytes and headers; fc-attempt
and the error headers are removed and fc-replayed-at / fc-replayed-from are added.

Resuming: the position reached per source partition is saved after every acknowledged batch in
<state-dir>/replay-<id>.json. Run the same command again (or \`replay --id <id>\`) to continue where it
stopped; a finished replay does nothing when run again unless --force is given. The replay id is derived from
the source, target and selection as typed, or set with --id.

Examples:
  $ fc-connector replay --dry-run
  $ fc-connector replay --error-class CONFIGURATION --since 2024-05-01T00:00:00Z
  $ fc-connector replay --key O_123,O_124
  $ fc-connector replay --from-topic fluent.webhooks --since now-2h          # reprocess the last 2 hours
  $ fc-connector replay --from-topic fluent.webhooks --from-offset 0:1500,1:1320 --to-offset 0:1600,1:1400
  $ fc-connector replay --id after-mapping-fix --force                        # replay again`;

export function replayCommand(io: CliIo): Command {
  const command = new Command('replay').description(
    'copy records back to the main topic (default source: the DLQ); resumable, never duplicates',
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
    .option('--force', 'replay again even though this selection was already (partly) replayed')
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
        '.fc-connector',
        '$FC_CONNECTOR_STATE_DIR or .fc-connector',
      ),
    )
    .addOption(
      new Option('--batch-size <n>', 'records per acknowledged batch').argParser(intParser(1, 10_000)).default(500),
    )
    .addOption(new Option('--sample <n>', 'rows shown by --dry-run').argParser(intParser(0, 1_000)).default(10))
    .addHelpText('after', HELP)
    .action(async (options: ReplayOptions, cmd: Command) => {
      await withSession(io, cmd, (session) => replay(session, options));
    });
  return command;
}

function boundsText(bounds: OffsetBounds | undefined): string | null {
  if (!bounds) return null;
  const pairs = [...bounds.byPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, o]) => `${p}:${o}`);
  return [bounds.all === undefined ? null : String(bounds.all), ...pairs].filter(Boolean).join(',');
}

function sorted(list: readonly string[] | undefined): string[] | null {
  return list?.length ? [...new Set(list)].sort() : null;
}

function hasSelectionFlags(options: ReplayOptions): boolean {
  return [
    options.fromTopic,
    options.toTopic,
    options.fromOffset,
    options.toOffset,
    options.name,
    options.key,
    options.errorClass,
    options.since,
    options.until,
  ].some((v) => v !== undefined);
}

async function replay(session: Session, options: ReplayOptions): Promise<void> {
  const { io, client, settings } = session;
  const out = io.stdout;
  const explicitDir = options.stateDir !== undefined && options.stateDir !== '.fc-connector';
  const stateDir = resolvePath(
    io,
    explicitDir ? (options.stateDir as string) : io.env.FC_CONNECTOR_STATE_DIR || '.fc-connector',
  );
  let source = options.fromTopic ?? settings.topics.dlq;
  let target = options.toTopic ?? settings.topics.webhooks;
  const filter = filterOf(options);
  const selection = {
    source,
    target,
    names: sorted(options.name),
    keys: sorted(options.key),
    errorClasses: sorted(options.errorClass),
    since: options.since?.text ?? null,
    until: options.until?.text ?? null,
    fromOffset: boundsText(options.fromOffset),
    toOffset: boundsText(options.toOffset),
  };
  let selectionKey = JSON.stringify(selection);
  const id = options.id ?? `${source}-${createHash('sha256').update(selectionKey).digest('hex').slice(0, 12)}`;
  const path = checkpointPath(stateDir, id);
  const release = options.dryRun ? async () => undefined : await lockReplay(path);
  try {
    let checkpoint = await loadCheckpoint(path);
    let recordFilter = filter;
    if (checkpoint && options.id !== undefined && !hasSelectionFlags(options)) {
      // `replay --id X` alone resumes X exactly as it was started.
      ({ sourceTopic: source, targetTopic: target, selectionKey } = checkpoint);
      recordFilter = checkpoint.filter as typeof filter;
    } else if (checkpoint && checkpoint.selectionKey !== selectionKey && !options.force) {
      throw new UsageError(
        `replay ${id} was started with a different selection (${checkpoint.selectionKey}).\n` +
          `Resume it with \`fc-connector replay --id ${id}\`, choose another --id, or start over with --force.`,
      );
    }
    await requireTopics(client.admin, [...new Set([source, target])]);

    if (checkpoint?.status === 'complete' && !options.force) {
      println(
        out,
        `Replay ${id} already completed (${checkpoint.replayed} record(s) from ${checkpoint.sourceTopic} to ` +
          `${checkpoint.targetTopic}, finished ${checkpoint.updatedAt}). Nothing to do.\n` +
          'Run with --force to replay this selection again.',
      );
      return;
    }
    if (checkpoint && options.force) checkpoint = undefined;

    const now = session.now();
    const fresh = !checkpoint;
    if (!checkpoint) {
      const ranges = await resolveRanges(client.admin, source, {
        since: options.since?.ms,
        until: options.until?.ms,
        fromOffset: options.fromOffset,
        toOffset: options.toOffset,
      });
      checkpoint = {
        version: 1,
        id,
        selectionKey,
        sourceTopic: source,
        targetTopic: target,
        filter: recordFilter,
        createdAt: iso(now),
        updatedAt: iso(now),
        status: 'in-progress',
        scanned: 0,
        replayed: 0,
        partitions: Object.fromEntries(
          ranges.map((r) => [
            String(r.partition),
            { start: String(r.start), end: String(r.end), next: String(r.start) },
          ]),
        ),
      };
    }
    const cp: ReplayCheckpoint = checkpoint;
    const remaining: PartitionRange[] = Object.entries(cp.partitions).map(([p, r]) => ({
      partition: Number(p),
      start: BigInt(r.next),
      end: BigInt(r.end),
    }));
    const toScan = Number(countInRanges(remaining));
    const header = `${fresh ? 'Replay' : 'Resuming replay'} ${id}: ${source} → ${target}, ${toScan} record(s) to scan`;

    if (options.dryRun) {
      await dryRun(session, { source, target, remaining, filter: recordFilter, sample: options.sample, header });
      return;
    }
    println(out, `${header}${fresh ? '' : ` (${cp.replayed} already replayed)`}; checkpoint ${path}`);
    if (toScan === 0) {
      cp.status = 'complete';
      cp.updatedAt = iso(session.now());
      await saveCheckpoint(path, cp);
      println(out, 'Nothing to replay: the selection is empty.');
      return;
    }
    await saveCheckpoint(path, cp);

    const producer = await connectProducer(client);
    const progress = createProgress(io.stderr, { label: 'replay', total: toScan, now: session.now });
    let scanned = 0;
    let replayed = 0;
    const started = session.now();
    let result;
    try {
      result = await readRanges(
        client,
        source,
        remaining,
        async (chunk) => {
          const replayAt = session.now();
          const selected = chunk.messages.filter((m) => matches(summarize(chunk.partition, m), recordFilter));
          if (selected.length > 0) {
            await producer.send({
              topic: target,
              acks: -1,
              messages: selected.map((m) => replayMessage({ topic: source, partition: chunk.partition }, m, replayAt)),
            });
          }
          // Only after the ack: advance the position.
          const progressOf = cp.partitions[String(chunk.partition)];
          if (progressOf) progressOf.next = String(chunk.nextOffset);
          scanned += chunk.messages.length;
          replayed += selected.length;
          cp.scanned += chunk.messages.length;
          cp.replayed += selected.length;
          cp.updatedAt = iso(session.now());
          await saveCheckpoint(path, cp);
          progress.update(scanned, replayed);
          io.onReplayBatch?.({
            partition: chunk.partition,
            replayed: selected.length,
            nextOffset: String(chunk.nextOffset),
          });
          return undefined;
        },
        { purpose: 'replay', chunkSize: options.batchSize, signal: io.signal },
      );
    } finally {
      progress.stop();
      await producer.disconnect().catch(() => undefined);
    }
    const seconds = Math.max((session.now() - started) / 1000, 0.001);
    if (result !== 'complete') {
      const resume = `fc-connector replay --id ${id}${explicitDir ? ` --state-dir ${options.stateDir as string}` : ''}`;
      println(
        out,
        `Interrupted: ${replayed} record(s) replayed in this run (${cp.replayed} in total); every replayed batch was ` +
          `acknowledged and its position saved in ${path}.\n` +
          `Resume with: ${resume}   (or run the same command again; same connection settings)`,
      );
      throw new InterruptedError(`replay ${id} interrupted; resume with \`${resume}\``);
    }
    cp.status = 'complete';
    cp.updatedAt = iso(session.now());
    await saveCheckpoint(path, cp);
    println(
      out,
      `Replayed ${replayed} of ${scanned} scanned record(s) from ${source} to ${target} in ${seconds.toFixed(1)} s ` +
        `(${(scanned / seconds).toFixed(0)} rec/s). Replay ${id} is complete; running it again does nothing unless --force.`,
    );
  } finally {
    await release();
  }
}

async function dryRun(
  session: Session,
  plan: {
    source: string;
    target: string;
    remaining: PartitionRange[];
    filter: ReturnType<typeof filterOf>;
    sample: number;
    header: string;
  },
): Promise<void> {
  const out = session.io.stdout;
  const perPartition = new Map<number, number>();
  const samples: RecordSummary[] = [];
  let scanned = 0;
  const result = await readRanges(
    session.client,
    plan.source,
    plan.remaining,
    async (chunk) => {
      for (const m of chunk.messages) {
        scanned += 1;
        const s = summarize(chunk.partition, m);
        if (!matches(s, plan.filter)) continue;
        perPartition.set(chunk.partition, (perPartition.get(chunk.partition) ?? 0) + 1);
        if (samples.length < plan.sample) samples.push(s);
      }
      return undefined;
    },
    { purpose: 'replay-dry-run', signal: session.io.signal },
  );
  const total = [...perPartition.values()].reduce((a, b) => a + b, 0);
  println(out, `${plan.header} (dry run: nothing is produced, no checkpoint written)`);
  if (samples.length > 0) {
    println(
      out,
      table(
        ['position', 'key', 'name', 'event id', 'error class', 'timestamp'],
        samples.map((s) => [
          `${s.partition}:${s.offset}`,
          dash(s.key),
          dash(s.messageName),
          dash(s.eventId),
          dash(s.errorClass),
          iso(s.timestamp),
        ]),
      ),
    );
  }
  const byPartition = [...perPartition.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([p, n]) => `p${p}=${n}`)
    .join(' ');
  println(
    out,
    `Would replay ${total} of ${scanned} scanned record(s) from ${plan.source} to ${plan.target}` +
      `${byPartition ? ` (${byPartition})` : ''}.`,
  );
  if (result === 'interrupted') throw new InterruptedError('dry run interrupted');
}
