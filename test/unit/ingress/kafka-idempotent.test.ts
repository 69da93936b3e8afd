/**
 * The idempotent sender in ingress/kafka.ts against a model of what KafkaJS 2.2.4 and the broker do with sequence
 * numbers: KafkaJS takes a partition's next sequence for a produce request and gives it back when the request fails
 * (producer/sendMessages.js), and the broker appends a batch whose first sequence is the next expected one, answers a
 * repeat of its last batch (same first sequence and size) as a duplicate without writing it, and refuses anything
 * else with OUT_OF_ORDER_SEQUENCE_NUMBER. Those two rules are what lost acknowledged records in the failover run.
 */
import { Partitioners, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isConnectorError } from '../../../common/index.js';
import { IdempotentSender, type OutgoingMessage } from '../../../ingress/kafka.js';

type Fault = 'reply-lost' | 'not-leader' | 'too-large';

class KafkaError extends Error {
  constructor(
    readonly type: string,
    readonly retriable: boolean,
  ) {
    super(type);
    this.name = 'KafkaJSProtocolError';
  }
}

/** The broker's log and per-producer-id state of one partition topic. */
class Broker {
  readonly log = new Map<number, string[]>();
  private readonly state = new Map<string, { next: number; last?: { first: number; count: number } }>();
  private nextProducerId = 1;
  /** Faults for the next produce requests, in order (any partition). */
  readonly faults: Fault[] = [];

  newProducerId(): number {
    return this.nextProducerId++;
  }

  /** Appends or deduplicates like Kafka's ProducerStateManager; the returned fault decides the reply. */
  produce(producerId: number, partition: number, first: number, records: Message[]): void {
    const fault = this.faults.shift();
    if (fault === 'too-large') throw new KafkaError('MESSAGE_TOO_LARGE', false);
    if (fault === 'not-leader') throw new KafkaError('NOT_LEADER_FOR_PARTITION', true);
    const key = `${producerId}/${partition}`;
    const state = this.state.get(key) ?? { next: 0 };
    this.state.set(key, state);
    const duplicate = state.last?.first === first && state.last.count === records.length;
    if (!duplicate) {
      if (first !== state.next) throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', false);
      const log = this.log.get(partition) ?? [];
      log.push(...records.map((r) => String(r.value)));
      this.log.set(partition, log);
      state.next += records.length;
      state.last = { first, count: records.length };
    }
    if (fault === 'reply-lost') {
      const error = new Error('Request Produce timed out') as Error & { retriable: boolean };
      error.name = 'KafkaJSRequestTimeoutError';
      error.retriable = true;
      throw error;
    }
  }

  written(): string[] {
    return [...this.log.values()].flat().sort();
  }
}

/** A KafkaJS idempotent producer reduced to its sequence bookkeeping (no retries of its own). */
function fakeProducer(broker: Broker, sends: { producerId: number; partitions: number[] }[]): Producer {
  const producerId = broker.newProducerId();
  const sequence = new Map<number, number>();
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    send: async ({ messages }: { messages: Message[] }) => {
      await Promise.resolve();
      const byPartition = new Map<number, Message[]>();
      for (const m of messages) byPartition.set(m.partition!, [...(byPartition.get(m.partition!) ?? []), m]);
      sends.push({ producerId, partitions: [...byPartition.keys()] });
      for (const [partition, records] of byPartition) {
        const first = sequence.get(partition) ?? 0;
        sequence.set(partition, first + records.length);
        try {
          broker.produce(producerId, partition, first, records);
        } catch (error) {
          // KafkaJS gives the sequence numbers of a failed request back.
          sequence.set(partition, (sequence.get(partition) ?? 0) - records.length);
          throw error;
        }
      }
      return [];
    },
  };
  return producer as unknown as Producer;
}

const PARTITIONS = 6;

function setup(options: { retryForMs?: number; startWithinMs?: number; send?: (p: Producer) => Producer } = {}) {
  const broker = new Broker();
  const sends: { producerId: number; partitions: number[] }[] = [];
  const sender = new IdempotentSender({
    newProducer: () => (options.send ?? ((p) => p))(fakeProducer(broker, sends)),
    partitionCount: () => Promise.resolve(PARTITIONS),
    requestTimeoutMs: 1_000,
    retryForMs: options.retryForMs ?? 10_000,
    startWithinMs: options.startWithinMs ?? 10_000,
    logger: pino({ level: 'silent' }),
  });
  return { broker, sends, sender };
}

const message = (id: string, key = 'order-1'): OutgoingMessage => ({
  key,
  value: Buffer.from(id),
  headers: { 'fc-event-id': id },
});

describe('IdempotentSender', () => {
  it('partitions by key exactly as KafkaJS producer.send does (Java-compatible murmur2)', async () => {
    const { sender, sends } = setup();
    const keys = Array.from({ length: 40 }, (_, i) => `ORDER-${i}`);
    await sender.send(
      't',
      keys.map((k) => message(k, k)),
    );
    const metadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      offlineReplicas: [],
      partitionErrorCode: 0,
    }));
    const partitioner = Partitioners.DefaultPartitioner();
    const expected = new Set(
      keys.map((key) => partitioner({ topic: 't', partitionMetadata: metadata, message: { key, value: '' } })),
    );
    expect(new Set(sends.flatMap((s) => s.partitions))).toEqual(expected);
    // One producer.send per partition, so a request never spans brokers.
    expect(sends.every((s) => s.partitions.length === 1)).toBe(true);
  });

  it('sends records whose reply was lost again with the same sequence numbers: written once, acknowledged', async () => {
    const { sender, broker } = setup();
    broker.faults.push('reply-lost', 'not-leader');
    await sender.send('t', [message('a'), message('b')]);
    expect(broker.written()).toEqual(['a', 'b']);
  });

  it('after a batch fails with its outcome unknown, the next batch of the same size is written, not taken as its duplicate', async () => {
    const { sender, broker, sends } = setup({ retryForMs: 0 });
    broker.faults.push('reply-lost');
    await expect(sender.send('t', [message('a')])).rejects.toThrow(/timed out/);
    await sender.send('t', [message('b')]);
    expect(broker.written()).toEqual(['a', 'b']);
    expect(new Set(sends.map((s) => s.producerId)).size).toBe(2);
  });

  it('fails a refused batch at once (nothing written) and keeps the producer id', async () => {
    const { sender, broker, sends } = setup();
    broker.faults.push('too-large');
    await expect(sender.send('t', [message('a')])).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await sender.send('t', [message('b')]);
    expect(broker.written()).toEqual(['b']);
    expect(sends.map((s) => s.producerId)).toEqual([1, 1]);
  });

  it('runs one batch at a time: a concurrent batch cannot take the sequence numbers a failed request gave back', async () => {
    const { sender, broker } = setup();
    broker.faults.push('reply-lost');
    await Promise.all([sender.send('t', [message('a')]), sender.send('t', [message('b')])]);
    expect(broker.written()).toEqual(['a', 'b']);
  });

  it('fails a batch that waited longer than startWithinMs for its turn, without sending it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { sender, broker } = setup({
      startWithinMs: 20,
      send: (p) => ({
        ...p,
        send: async (record) => {
          await gate;
          return p.send(record);
        },
      }),
    });
    const first = sender.send('t', [message('a')]);
    const second = sender.send('t', [message('b')]);
    const refused = expect(second).rejects.toSatisfy((e) => isConnectorError(e) && e.code === 'PRODUCE_DEADLINE');
    setTimeout(release, 60);
    await first;
    await refused;
    expect(broker.written()).toEqual(['a']);
  });
});
