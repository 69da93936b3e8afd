/**
 * `offsets reset`: move the processor group's committed offsets (main + retry topics by default) to a time, the
 * earliest or the latest offset. Refuses while the group has live members: a running consumer would overwrite the
 * new offsets with its next commit, and Kafka rejects commits from outside an active generation anyway.
 */
import { Command, Option } from 'commander';
import type { Admin } from 'kafkajs';
import { groupActive, usageError } from '../errors.js';
import { dash, iso, table } from '../format.js';
import { println, type CliIo } from '../io.js';
import { commitGroupOffsets, offsetsForTimestamp, partitionOffsets, requireTopics } from '../kafka.js';
import { collectList, parseTimePoint, type TimePoint } from '../parse.js';
import { withSession, type Session } from '../session.js';

interface ResetOptions {
  toDatetime?: TimePoint;
  toEarliest?: boolean;
  toLatest?: boolean;
  resetTopic?: string[];
  dryRun?: boolean;
  json?: boolean;
}

const HELP = `
Targets: --to-datetime <ISO> (first record at or after that time; the end if none), --to-earliest, --to-latest.
Topics: the main topic and every retry tier by default; --reset-topic to choose (repeatable). The DLQ is never
consumed by the processor and is not touched.
The group must be empty (every processor stopped): the command refuses otherwise.

Examples:
  $ fc-connector offsets reset --to-datetime 2024-05-01T10:00:00Z --dry-run
  $ fc-connector offsets reset --to-latest --group fc-connector-processor
  $ fc-connector offsets reset --to-earliest --reset-topic fluent.webhooks.retry.1`;

export function offsetsCommand(io: CliIo): Command {
  const offsets = new Command('offsets').description("manage the processor group's committed offsets");
  offsets
    .command('reset')
    .description('reset the processor group offsets to a time, the earliest or the latest offset')
    .addOption(
      new Option('--to-datetime <time>', 'ISO 8601 time (2024-05-01T10:00:00Z) or now-2h')
        .argParser(parseTimePoint)
        .conflicts(['toEarliest', 'toLatest']),
    )
    .addOption(new Option('--to-earliest', 'the first available offset').conflicts(['toDatetime', 'toLatest']))
    .addOption(
      new Option('--to-latest', 'the end (skip everything not yet processed)').conflicts(['toDatetime', 'toEarliest']),
    )
    .addOption(
      new Option(
        '--reset-topic <topics>',
        'topics to reset (default: main + retry tiers); comma list or repeated',
      ).argParser(collectList),
    )
    .option('--dry-run', 'show current and target offsets without changing them')
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', HELP)
    .action(async (options: ResetOptions, command: Command) => {
      if (!options.toDatetime && !options.toEarliest && !options.toLatest) {
        throw usageError('choose a target: --to-datetime <time>, --to-earliest or --to-latest.');
      }
      await withSession(io, command, (session) => resetOffsets(session, options));
    });
  return offsets;
}

export interface PlanRow {
  topic: string;
  partition: number;
  current: string | null;
  target: string;
}

async function resetOffsets(session: Session, options: ResetOptions): Promise<void> {
  const { admin } = session.client;
  const { groupId, topics: names } = session.settings;
  const topics = options.resetTopic ?? [names.webhooks, ...names.retries];
  await requireTopics(admin, topics);
  const before = await requireEmptyGroup(admin, groupId);
  const plan = await planOffsets(admin, groupId, topics, options);
  const out = session.io.stdout;
  const target = targetText(options);
  if (options.json) {
    println(out, JSON.stringify({ groupId, target, dryRun: options.dryRun === true, partitions: plan }, null, 2));
  } else {
    println(out, renderOffsetPlan(groupId, before.state, target, plan));
  }
  if (options.dryRun) {
    if (!options.json) println(out, 'Dry run: no offsets changed.');
    return;
  }
  // Re-check right before writing: a processor may have started while we planned.
  await requireEmptyGroup(admin, groupId);
  await commitGroupOffsets(
    session.client,
    groupId,
    topics.map((topic) => ({
      topic,
      partitions: plan.filter((r) => r.topic === topic).map((r) => ({ partition: r.partition, offset: r.target })),
    })),
  );
  if (!options.json)
    println(out, `Offsets of ${groupId} reset on ${topics.length} topic(s), ${plan.length} partition(s).`);
}

/** The group's state; throws while it has live members. */
async function requireEmptyGroup(admin: Admin, groupId: string): Promise<{ state: string; members: number }> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  const state = group?.state ?? 'Dead';
  const members = group?.members.length ?? 0;
  if (!['Empty', 'Dead'].includes(state) || members > 0) throw groupActive(groupId, state, members);
  return { state, members };
}

/** Current and target offset of every partition of `topics`. */
async function planOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  options: ResetOptions,
): Promise<PlanRow[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const plan: PlanRow[] = [];
  for (const topic of topics) {
    const bounds = await partitionOffsets(admin, topic);
    const byTime = options.toDatetime ? await offsetsForTimestamp(admin, topic, options.toDatetime.ms) : undefined;
    const current = committed.find((t) => t.topic === topic);
    for (const b of bounds) {
      const c = current?.partitions.find((p) => p.partition === b.partition)?.offset;
      const to = byTime ? (byTime.get(b.partition) ?? b.high) : options.toEarliest ? b.low : b.high;
      plan.push({
        topic,
        partition: b.partition,
        current: c === undefined || BigInt(c) < 0n ? null : c,
        target: String(to),
      });
    }
  }
  return plan;
}

/** The target as the operator typed it, with the resolved time when it differs. */
export function targetText(options: Pick<ResetOptions, 'toDatetime' | 'toEarliest'>): string {
  if (options.toDatetime) {
    const { text, ms } = options.toDatetime;
    return text === iso(ms) ? text : `${text} (${iso(ms)})`;
  }
  return options.toEarliest ? 'earliest' : 'latest';
}

export function renderOffsetPlan(groupId: string, state: string, target: string, plan: readonly PlanRow[]): string {
  const rows = plan.map((r) => [
    r.topic,
    String(r.partition),
    dash(r.current),
    r.target,
    r.current === null ? 'set' : (BigInt(r.target) - BigInt(r.current)).toString().replace(/^(\d)/, '+$1'),
  ]);
  return [
    `consumer group ${groupId} (state ${state}); target: ${target}`,
    table(['topic', 'partition', 'current', 'target', 'change'], rows),
  ].join('\n');
}
