/**
 * `dlq list` and `dlq show`: read dead letters without consuming them for the processor's group (a throwaway,
 * never-committing reader, see ../kafka.ts).
 */
import { Command, Option } from 'commander';
import type { KafkaMessage } from 'kafkajs';
import {
  createRegistry,
  RegistryUnavailableError,
  UndecodableRecordError,
  WebhookSerde,
  type FluentWebhookRecord,
} from '../../schemas/index.js';
import { CliError, ExitCode } from '../errors.js';
import { dash, iso, table } from '../format.js';
import { println, type CliIo } from '../io.js';
import { partitionOffsets, readRanges, requireTopics } from '../kafka.js';
import {
  collectList,
  intParser,
  parsePartitionOffset,
  parseTimePoint,
  parseTopicName,
  type PartitionOffset,
  type TimePoint,
} from '../parse.js';
import { matches, summarize, type RecordFilter, type RecordSummary } from '../records.js';
import { resolveRanges } from '../selection.js';
import { withSession, type Session } from '../session.js';

export interface FilterOptions {
  name?: string[];
  key?: string[];
  errorClass?: string[];
  since?: TimePoint;
  until?: TimePoint;
}

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

export function filterOf(options: FilterOptions): RecordFilter {
  return {
    names: options.name,
    keys: options.key,
    errorClasses: options.errorClass,
    since: options.since?.ms,
    until: options.until?.ms,
  };
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

async function listDeadLetters(
  session: Session,
  options: FilterOptions & { limit: number; json?: boolean; fromTopic?: string },
): Promise<void> {
  const topic = options.fromTopic ?? session.settings.topics.dlq;
  const { admin } = session.client;
  await requireTopics(admin, [topic]);
  const filter = filterOf(options);
  const ranges = await resolveRanges(admin, topic, { since: options.since?.ms, until: options.until?.ms });
  const found: RecordSummary[] = [];
  let scanned = 0;
  const result = await readRanges(
    session.client,
    topic,
    ranges,
    async (chunk) => {
      for (const message of chunk.messages) {
        scanned += 1;
        const summary = summarize(chunk.partition, message);
        if (!matches(summary, filter)) continue;
        found.push(summary);
        if (found.length >= options.limit) return 'stop';
      }
      return undefined;
    },
    { purpose: 'dlq-list', signal: session.io.signal },
  );
  found.sort(
    (a, b) => a.timestamp - b.timestamp || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  const out = session.io.stdout;
  const limited = result === 'stopped' ? ` (stopped at --limit ${options.limit})` : '';
  const summaryLine = `${found.length} record(s) matched, ${scanned} scanned in ${topic}${limited}`;
  if (options.json) {
    for (const s of found) println(out, JSON.stringify({ topic, ...s, timestamp: iso(s.timestamp) }));
    println(session.io.stderr, summaryLine);
  } else {
    if (found.length > 0) {
      println(
        out,
        table(
          ['position', 'key', 'name', 'event id', 'error class', 'error message', 'attempts', 'failed at'],
          found.map((s) => [
            `${s.partition}:${s.offset}`,
            dash(s.key),
            dash(s.messageName),
            dash(s.eventId),
            dash(s.errorClass),
            dash(s.errorMessage),
            dash(s.attempts),
            s.failedAt ?? iso(s.timestamp),
          ]),
          60,
        ),
      );
    }
    println(out, summaryLine);
  }
  if (result === 'interrupted') throw new CliError('interrupted', ExitCode.interrupted, 'INTERRUPTED');
}

async function showRecord(
  session: Session,
  position: PartitionOffset,
  options: { json?: boolean; fromTopic?: string },
): Promise<void> {
  const topic = options.fromTopic ?? session.settings.topics.dlq;
  const { admin } = session.client;
  await requireTopics(admin, [topic]);
  const bounds = (await partitionOffsets(admin, topic)).find((b) => b.partition === position.partition);
  if (!bounds)
    throw new CliError(
      `partition ${position.partition} does not exist in ${topic}.`,
      ExitCode.runtime,
      'UNKNOWN_PARTITION',
    );
  if (position.offset < bounds.low || position.offset >= bounds.high) {
    throw new CliError(
      `offset ${position.offset} is not in ${topic} partition ${position.partition} (available: ${bounds.low}–${bounds.high - 1n}` +
        `${bounds.low === bounds.high ? ', partition empty' : ''}).`,
      ExitCode.runtime,
      'OFFSET_OUT_OF_RANGE',
    );
  }
  let record: KafkaMessage | undefined;
  await readRanges(
    session.client,
    topic,
    [{ partition: position.partition, start: position.offset, end: position.offset + 1n }],
    async (chunk) => {
      record = chunk.messages.find((m) => BigInt(m.offset) === position.offset) ?? record;
      return undefined;
    },
    { purpose: 'dlq-show', signal: session.io.signal },
  );
  if (!record)
    throw new CliError(
      `no record at ${topic} ${position.partition}:${position.offset} (compacted or a control record).`,
    );

  const value = record.value;
  const headers = Object.fromEntries(
    Object.entries(record.headers ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String) : v === undefined ? null : String(v),
    ]),
  );
  let decoded: Record<string, unknown> | undefined;
  let decodeError: string | undefined;
  try {
    const serde = new WebhookSerde(createRegistry(session.settings.connection.registry));
    decoded = presentRecord(await serde.decode(value));
  } catch (error) {
    if (error instanceof UndecodableRecordError || error instanceof RegistryUnavailableError)
      decodeError = error.message;
    else throw error;
  }
  const summary = summarize(position.partition, record);
  const doc = {
    topic,
    partition: position.partition,
    offset: record.offset,
    timestamp: iso(Number(record.timestamp)),
    key: record.key ? record.key.toString('utf8') : null,
    summary,
    headers,
    valueBytes: value?.length ?? 0,
    ...(decoded
      ? { value: decoded }
      : { decodeError, valueBase64: preview(value, 'base64'), valueHex: preview(value, 'hex') }),
  };
  const out = session.io.stdout;
  if (options.json) {
    println(out, JSON.stringify(doc, null, 2));
    return;
  }
  println(out, `${topic} ${position.partition}:${record.offset}  (timestamp ${doc.timestamp}, key ${dash(doc.key)})`);
  println(out, '\nheaders:');
  for (const [k, v] of Object.entries(headers)) println(out, `  ${k}: ${Array.isArray(v) ? v.join(' | ') : dash(v)}`);
  if (decoded) {
    println(out, `\nvalue (Avro, ${doc.valueBytes} bytes):`);
    println(out, JSON.stringify(decoded, null, 2).replace(/^/gm, '  '));
  } else {
    println(out, `\nvalue (${doc.valueBytes} bytes) could not be decoded: ${decodeError}`);
    println(out, `  base64: ${preview(value, 'base64')}`);
    println(out, `  hex:    ${preview(value, 'hex')}`);
  }
}

/** Decoded record for people: raw body as text (JSON parsed when it is), times as ISO, signature redacted. */
function presentRecord(record: FluentWebhookRecord): Record<string, unknown> {
  const rawText = record.rawBody.toString('utf8');
  let rawBody: unknown = rawText;
  try {
    rawBody = JSON.parse(rawText);
  } catch {
    // not JSON: show as text
  }
  return {
    ...record,
    rawBody,
    receivedAt: iso(Number(record.receivedAt)),
    signature: record.signature ? `[redacted, ${record.signature.length} chars]` : null,
  };
}

function preview(value: Buffer | null, encoding: 'base64' | 'hex'): string {
  if (!value) return '(null)';
  const limit = encoding === 'hex' ? 64 : 3072;
  const text = value.subarray(0, limit).toString(encoding);
  return value.length > limit ? `${text}… (${value.length} bytes)` : text;
}
