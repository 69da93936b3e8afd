/**
 * `dlq list` and `dlq show`: read dead letters without consuming them for the processor's group (a throwaway,
 * never-committing reader, see ../read-ranges.ts). Rendering lives in ../dlq/view.ts.
 */
import { Command, Option } from 'commander';
import type { KafkaMessage } from 'kafkajs';
import { createRegistry, WebhookSerde } from '../../schemas/index.js';
import { errorCodeOf, type ConnectionConfig } from '../../common/index.js';
import { CliError, interrupted } from '../errors.js';
import {
  deadLetterJson,
  recordDocument,
  renderDeadLetterTable,
  renderRecord,
  sortDeadLetters,
  type Decoding,
} from '../dlq/view.js';
import { println, type CliIo } from '../io.js';
import { partitionOffsets, requireTopics, type CliKafka } from '../kafka.js';
import {
  collectList,
  intParser,
  parsePartitionOffset,
  parseTimePoint,
  parseTopicName,
  type PartitionOffset,
} from '../parse.js';
import { readRanges } from '../read-ranges.js';
import { filterOf, matches, summarize, type FilterOptions, type RecordSummary } from '../records.js';
import { resolveRanges } from '../selection.js';
import { withSession, type Session } from '../session.js';

export type { FilterOptions } from '../records.js';

/** Adds --name, --key, --error-class, --since, --until (shared with `replay`). */
export function addFilterOptions(command: Command): Command {
  return command
    .addOption(new Option('--name <names>', 'message name(s), comma separated or repeated').argParser(collectList))
    .addOption(
      new Option('--key <keys>', 'record key(s) (order refs), comma separated or repeated').argParser(collectList),
    )
    .addOption(
      new Option('--error-class <classes>', 'error class(es) from fc-error-class, e.g. CONFIGURATION').argParser(
        collectList,
      ),
    )
    .addOption(
      new Option('--since <time>', 'records written at or after: ISO 8601 (2024-05-01T10:00:00Z) or now-2h').argParser(
        parseTimePoint,
      ),
    )
    .addOption(
      new Option('--until <time>', 'records written before (same formats as --since)').argParser(parseTimePoint),
    );
}

const LIST_HELP = `
Columns: partition:offset, key, message name, event id, error class, error message, attempts, failed-at.
Time filters use the DLQ record's timestamp (when it was dead-lettered).

Examples:
  $ fc-connector dlq list
  $ fc-connector dlq list --error-class CONFIGURATION --since now-1d --limit 20
  $ fc-connector dlq list --key O_123 --json | jq .errorMessage`;

const SHOW_HELP = `
Examples:
  $ fc-connector dlq show 3:1200
  $ fc-connector dlq show 0:15 --from-topic fluent.webhooks --json`;

export function dlqCommand(io: CliIo): Command {
  const dlq = new Command('dlq').description('inspect dead letters (read-only; the processor group is never touched)');

  addFilterOptions(
    dlq
      .command('list')
      .description('list dead letters with their error, newest filters first')
      .addOption(new Option('--from-topic <topic>', 'read this topic instead of the DLQ').argParser(parseTopicName))
      .addOption(new Option('--limit <n>', 'stop after this many matches').argParser(intParser(1)).default(100)),
  )
    .option('--json', 'one JSON object per line (JSON lines)')
    .addHelpText('after', LIST_HELP)
    .action(
      async (options: FilterOptions & { limit: number; json?: boolean; fromTopic?: string }, command: Command) => {
        await withSession(io, command, (session) => listDeadLetters(session, options));
      },
    );

  dlq
    .command('show')
    .description('print one record in full: headers and decoded value')
    .argument('<partition:offset>', 'record position, e.g. 3:1200', parsePartitionOffset)
    .addOption(new Option('--from-topic <topic>', 'read this topic instead of the DLQ').argParser(parseTopicName))
    .option('--json', 'print one JSON document')
    .addHelpText('after', SHOW_HELP)
    .action(async (position: PartitionOffset, options: { json?: boolean; fromTopic?: string }, command: Command) => {
      await withSession(io, command, (session) => showRecord(session, position, options));
    });

  return dlq;
}

interface ListOptions extends FilterOptions {
  limit: number;
  json?: boolean;
  fromTopic?: string;
}

async function listDeadLetters(session: Session, options: ListOptions): Promise<void> {
  const topic = options.fromTopic ?? session.settings.topics.dlq;
  await requireTopics(session.client.admin, [topic]);
  const { found, scanned, result } = await findDeadLetters(session, topic, options);
  const out = session.io.stdout;
  const limited = result === 'stopped' ? ` (stopped at --limit ${options.limit})` : '';
  const summaryLine = `${found.length} record(s) matched, ${scanned} scanned in ${topic}${limited}`;
  if (options.json) {
    for (const s of found) println(out, deadLetterJson(topic, s));
    println(session.io.stderr, summaryLine);
  } else {
    if (found.length > 0) println(out, renderDeadLetterTable(found));
    println(out, summaryLine);
  }
  if (result === 'interrupted') throw interrupted('interrupted');
}

/** Reads the topic until --limit matches, oldest first. */
async function findDeadLetters(session: Session, topic: string, options: ListOptions) {
  const filter = filterOf(options);
  const ranges = await resolveRanges(session.client.admin, topic, {
    since: options.since?.ms,
    until: options.until?.ms,
  });
  const found: RecordSummary[] = [];
  let scanned = 0;
  const result = await readRanges(
    session.client,
    topic,
    ranges,
    (chunk) => {
      for (const message of chunk.messages) {
        scanned += 1;
        const summary = summarize(chunk.partition, message);
        if (!matches(summary, filter)) continue;
        found.push(summary);
        if (found.length >= options.limit) return Promise.resolve('stop' as const);
      }
      return Promise.resolve();
    },
    { purpose: 'dlq-list', signal: session.io.signal },
  );
  return { found: sortDeadLetters(found), scanned, result };
}

async function showRecord(
  session: Session,
  position: PartitionOffset,
  options: { json?: boolean; fromTopic?: string },
): Promise<void> {
  const topic = options.fromTopic ?? session.settings.topics.dlq;
  const record = await readRecordAt(session.client, topic, position, session.io.signal);
  const decoding = await decodeValue(session.settings.connection.registry, record.value);
  const doc = recordDocument(topic, position.partition, record, decoding);
  println(session.io.stdout, options.json ? JSON.stringify(doc, null, 2) : renderRecord(doc));
}

/** The record at `position`, or an error saying why there is none. */
async function readRecordAt(
  client: CliKafka,
  topic: string,
  position: PartitionOffset,
  signal: AbortSignal | undefined,
): Promise<KafkaMessage> {
  await requireTopics(client.admin, [topic]);
  const bounds = (await partitionOffsets(client.admin, topic)).find((b) => b.partition === position.partition);
  if (!bounds) throw new CliError('UNKNOWN_PARTITION', `partition ${position.partition} does not exist in ${topic}.`);
  if (position.offset < bounds.low || position.offset >= bounds.high) {
    throw new CliError(
      'OFFSET_OUT_OF_RANGE',
      `offset ${position.offset} is not in ${topic} partition ${position.partition} (available: ${bounds.low}–${bounds.high - 1n}` +
        `${bounds.low === bounds.high ? ', partition empty' : ''}).`,
    );
  }
  let record: KafkaMessage | undefined;
  await readRanges(
    client,
    topic,
    [{ partition: position.partition, start: position.offset, end: position.offset + 1n }],
    (chunk) => {
      record = chunk.messages.find((m) => BigInt(m.offset) === position.offset) ?? record;
      return Promise.resolve();
    },
    { purpose: 'dlq-show', signal },
  );
  if (!record) {
    throw new CliError(
      'CLI_ERROR',
      `no record at ${topic} ${position.partition}:${position.offset} (compacted or a control record).`,
    );
  }
  return record;
}

/** Decodes through the registry; an undecodable value or an unreachable registry is shown, not fatal. */
async function decodeValue(registry: ConnectionConfig['registry'], value: Buffer | null): Promise<Decoding> {
  try {
    return { record: await new WebhookSerde(createRegistry(registry)).decode(value) };
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'UNDECODABLE_RECORD' || code === 'REGISTRY_UNAVAILABLE') return { error: (error as Error).message };
    throw error;
  }
}
