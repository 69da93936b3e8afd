/**
 * The outcome oracle (support/outcomes.ts) on hand-made evidence: it passes on a pipeline that finished everything,
 * and fails once a record is deliberately dropped or left unfinished — including the loss the order-state oracle
 * cannot see (the last accepted record gone, an earlier one already giving the final state). No broker needed.
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../schemas/index.js';
import { checkOutcomes, type OutcomeEvidence, type TopicRecord } from './support/outcomes.js';

const topics = topicNames('chaos.webhooks', 2);
const [retry1] = topics.retries as [string, string];

/**
 * Order O_1 got three webhooks (e1, e2, e3), all answered 200. e2 failed once and was handled from retry tier 1;
 * e3 went to the DLQ after its tier-1 retry. Everything is committed.
 */
function finishedPipeline(): OutcomeEvidence {
  const records: TopicRecord[] = [
    { topic: topics.webhooks, partition: 0, offset: 0, eventId: 'e1' },
    { topic: topics.webhooks, partition: 0, offset: 1, eventId: 'e2' },
    { topic: topics.webhooks, partition: 0, offset: 2, eventId: 'e3' },
    { topic: retry1, partition: 0, offset: 0, eventId: 'e2' },
    { topic: retry1, partition: 0, offset: 1, eventId: 'e3' },
    { topic: topics.dlq, partition: 0, offset: 0, eventId: 'e3' },
  ];
  const committed = new Map([
    [`${topics.webhooks}/0`, 3],
    [`${retry1}/0`, 2],
  ]);
  return { topics, records, committed };
}

const accepted = ['e1', 'e2', 'e3'];

describe('checkOutcomes', () => {
  it('passes when every accepted event was finished (handled, or dead-lettered)', () => {
    expect(checkOutcomes(accepted, finishedPipeline())).toEqual({ accepted: 3, deadLettered: 1, problems: [] });
  });

  it('fails when the last accepted record of an order was dropped (fault injected), though its state would be right', () => {
    const evidence = finishedPipeline();
    const dropped = { ...evidence, records: evidence.records.filter((r) => r.eventId !== 'e3') };
    expect(checkOutcomes(accepted, dropped).problems).toEqual([
      'e3: answered 200 but not on chaos.webhooks (lost by the ingress)',
    ]);
  });

  it('fails when the processor never finished a main-topic record (fault injected: committed offset one short)', () => {
    const evidence = finishedPipeline();
    const committed = new Map(evidence.committed).set(`${topics.webhooks}/0`, 2);
    expect(checkOutcomes(accepted, { ...evidence, committed }).problems).toEqual([
      'e3: chaos.webhooks/0@2 never finished by the processor (committed offset 2)',
    ]);
  });

  it('fails when a retry copy was never consumed (fault injected: no commit on the retry tier)', () => {
    const evidence = finishedPipeline();
    const committed = new Map(evidence.committed);
    committed.delete(`${retry1}/0`);
    expect(checkOutcomes(accepted, { ...evidence, committed }).problems).toEqual([
      `e2: ${retry1}/0@0 never finished by the processor (committed offset 0)`,
      `e3: ${retry1}/0@1 never finished by the processor (committed offset 0)`,
    ]);
  });

  it('ignores events that were never accepted, and counts an accepted id delivered twice once', () => {
    const evidence = finishedPipeline();
    const records = [...evidence.records, { topic: topics.webhooks, partition: 1, offset: 0, eventId: 'refused' }];
    expect(checkOutcomes([...accepted, 'e1'], { ...evidence, records })).toMatchObject({ accepted: 3, problems: [] });
  });
});
