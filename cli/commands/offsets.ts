/**
 * `offsets reset`: move the processor group's committed offsets (main + retry topics by default) to a time, the
 * earliest or the latest offset. A dry run by default, like `kafka-consumer-groups --reset-offsets`: it prints the
 * plan (partition, current, new offset, lag change) and writes only with --execute. Refuses while the group has live
 * members: a running consumer would overwrite the new offsets with its next commit, and Kafka rejects commits from
 * outside an active generation anyway. ../offsets/ holds the plan and its rendering (pure).
 */
import { Command, Option } from 'commander';
import type { Admin } from 'kafkajs';
import { groupActive, usageError } from '../errors.js';
import { println, type CliIo } from '../io.js';
import { commitGroupOffsets, offsetsForTimestamp, partitionOffsets, requireTopics } from '../kafka.js';
import { collectList, parseTimePoint, type TimePoint } from '../parse.js';
import { withSession, type Session } from '../session.js';
import { planTopic, type PlanRow } from '../offsets/plan.js';
import { renderOffsetPlan, renderOutcome, targetText } from '../offsets/render.js';

interface ResetOptions {
  toDatetime?: TimePoint;
  toEarliest?: boolean;
  toLatest?: boolean;
  resetTopic?: string[];
  execute?: boolean;
  /** Accepted for scripts written before --execute existed; a dry run is the default anyway. */
  dryRun?: boolean;
  json?: boolean;
}

const HELP = `
Dry run by default: prints, per partition, the committed offset, the new one, the change and the lag before →
after, and changes nothing. Add --execute to commit the plan.
Targets: --to-datetime <ISO> (first record at or after that time; the end if none), --to-earliest, --to-latest.
Topics: the main topic and every retry tier by default; --reset-topic to choose (repeatable). The DLQ is never
consumed by the processor and is not touched.
The group must be empty (every processor stopped, autoscaling paused): the command refuses otherwise, and checks
again right before writing. On Kubernetes run it as the chart's one-off CLI Job (docs/runbooks/README.md).

Examples:
  $ fc-connector offsets reset --to-datetime 2024-05-01T10:00:00Z             # the plan only
  $ fc-connector offsets reset --to-datetime 2024-05-01T10:00:00Z --execute   # commit it
  $ fc-connector offsets reset --to-latest --group fc-connector-processor --execute
  $ fc-connector offsets reset --to-earliest --reset-topic fluent.webhooks.retry.1`;

export function offsetsCommand(io: CliIo): Command {
  const offsets = new Command('offsets').description("manage the processor group's committed offsets");
  offsets
    .command('reset')
    .description('plan (and with --execute, commit) a reset of the processor group offsets')
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
    .addOption(new Option('--execute', 'commit the planned offsets (without it: dry run)').conflicts('dryRun'))
    .addOption(new Option('--dry-run', 'print the plan only (the default)').conflicts('execute'))
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

async function resetOffsets(session: Session, options: ResetOptions): Promise<void> {
  const { admin } = session.client;
  const { groupId, topics: names } = session.settings;
  const topics = options.resetTopic ?? [names.webhooks, ...names.retries];
  const execute = options.execute === true;
  await requireTopics(admin, topics);
  const before = await requireEmptyGroup(admin, groupId);
  const plan = await planOffsets(admin, groupId, topics, options);
  const out = session.io.stdout;
  const target = targetText(options);
  if (options.json) {
    println(out, JSON.stringify({ groupId, target, dryRun: !execute, partitions: plan }, null, 2));
  } else {
    println(out, renderOffsetPlan(groupId, before.state, target, plan));
  }
  if (!execute) {
    if (!options.json) println(out, renderOutcome(groupId, plan, false));
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
  if (!options.json) println(out, renderOutcome(groupId, plan, true));
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

/** Current offset, target offset and lag change of every partition of `topics` (reads Kafka; the rows are pure). */
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
    const current = new Map(
      (committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]),
    );
    plan.push(...planTopic(topic, bounds, current, { byTime, earliest: options.toEarliest === true }));
  }
  return plan;
}
