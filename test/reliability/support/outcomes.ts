/**
 * Did every webhook Fluent got a 200 for reach a final outcome in the processor? The order-state oracle
 * (oracle.ts) cannot tell: the handler applies Fluent's *current* status, so a late retry of an earlier webhook gives
 * the final state even when the last accepted record was lost. This one reads the evidence instead:
 *
 * - every accepted event id has a record on the main topic (else the ingress answered 200 for a record it lost);
 * - every record of an accepted event on the main or a retry topic lies below the consumer group's committed offset
 *   of its partition (else the processor never finished it).
 *
 * The runner commits an offset only after the record's work is done: handled, skipped with a reason, or acknowledged
 * on a retry or DLQ topic (docs/architecture.md, "Processing semantics"). So when every copy of an event is committed,
 * the copy that went furthest ended handled, skipped or in the DLQ: a final outcome. What this cannot see is a
 * processor that commits a record without doing its work; the crash test (test/integration/processor/crash.test.ts)
 * and the runner's unit tests cover that with the processor's record events.
 */
import type { Admin, Kafka } from 'kafkajs';
import { readTopic } from '../../support/kafka.js';
import type { TopicNames } from '../../../schemas/index.js';

/** A record of one of the pipeline's topics, as far as outcomes go. */
export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly eventId: string | undefined;
}

/** The consumer group's committed offsets (the next offset it reads), by `topic/partition`. */
export type CommittedOffsets = ReadonlyMap<string, number>;

export interface OutcomeEvidence {
  readonly topics: TopicNames;
  readonly records: readonly TopicRecord[];
  readonly committed: CommittedOffsets;
}

export interface OutcomeReport {
  /** Accepted event ids checked. */
  readonly accepted: number;
  /** Of those, events with a record in the DLQ (a final outcome, counted for the log). */
  readonly deadLettered: number;
  readonly problems: string[];
}

const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

/** Checks that every accepted event id reached a final outcome (see the file comment). */
export function checkOutcomes(acceptedEventIds: Iterable<string>, evidence: OutcomeEvidence): OutcomeReport {
  const { topics, records, committed } = evidence;
  const consumed = new Set([topics.webhooks, ...topics.retries]);
  const byEvent = new Map<string, TopicRecord[]>();
  for (const record of records) {
    if (record.eventId === undefined) continue;
    const copies = byEvent.get(record.eventId);
    if (copies) copies.push(record);
    else byEvent.set(record.eventId, [record]);
  }
  const problems: string[] = [];
  let accepted = 0;
  let deadLettered = 0;
  for (const id of new Set(acceptedEventIds)) {
    accepted++;
    const copies = byEvent.get(id) ?? [];
    if (!copies.some((r) => r.topic === topics.webhooks)) {
      problems.push(`${id}: answered 200 but not on ${topics.webhooks} (lost by the ingress)`);
      continue;
    }
    if (copies.some((r) => r.topic === topics.dlq)) deadLettered++;
    for (const copy of copies.filter((r) => consumed.has(r.topic))) {
      const next = committed.get(partitionKey(copy.topic, copy.partition)) ?? 0;
      if (copy.offset >= next) {
        problems.push(
          `${id}: ${copy.topic}/${copy.partition}@${copy.offset} never finished by the processor (committed offset ${next})`,
        );
      }
    }
  }
  return { accepted, deadLettered, problems };
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : last.toString();
}

/** Every record of the main, retry and DLQ topics (read once the pipeline has drained). */
export async function readPipelineRecords(kafka: Kafka, topics: TopicNames): Promise<TopicRecord[]> {
  const all = await Promise.all(
    [topics.webhooks, ...topics.retries, topics.dlq].map(async (topic) =>
      (await readTopic(topic, kafka)).map((r) => ({
        topic,
        partition: r.partition,
        offset: Number(r.offset),
        eventId: headerText(r.headers['fc-event-id']),
      })),
    ),
  );
  return all.flat();
}

/** The group's committed offsets on the topics it consumes (main and retry tiers). */
export async function readCommittedOffsets(
  admin: Admin,
  groupId: string,
  topics: TopicNames,
): Promise<CommittedOffsets> {
  const entries = await admin.fetchOffsets({ groupId, topics: [topics.webhooks, ...topics.retries] });
  const committed = new Map<string, number>();
  for (const { topic, partitions } of entries) {
    for (const { partition, offset } of partitions) committed.set(partitionKey(topic, partition), Number(offset));
  }
  return committed;
}
