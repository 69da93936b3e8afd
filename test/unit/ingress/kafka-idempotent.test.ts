/**
 * The idempotent sender in ingress/kafka.ts against a model of what KafkaJS 2.2.4 and the broker do with sequence
 * numbers: KafkaJS takes a partition's next sequence for a produce request and gives it back when the request fails
 * (producer/sendMessages.js), and the broker appends a batch whose first sequence is the next expected one, answers a
 * repeat of its last batch (same first sequence and size) as a duplicate without writing it, and refuses anything
 * else with OUT_OF_ORDER_SEQUENCE_NUMBER. Those two rules are what lost acknowledged records in the failover run.
 * Like KafkaJS, each producer sends one request at a time (its per-broker lock; the model has one broker), which is
 * why the sender spreads partitions over several producers.
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

interface Send {
  producerId: number;
  partitions: number[];
}

/** Requests in flight (taken their sequence numbers, reply not yet handled), overall and per partition. */
class InFlight {
  now = 0;
  most = 0;
  private readonly perPartition = new Map<number, number>();
  /** Partitions that ever had two requests in flight at once. */
  readonly overlapped = new Set<number>();

  enter(partitions: number[]): void {
    this.most = Math.max(this.most, ++this.now);
    for (const p of partitions) {
      const n = (this.perPartition.get(p) ?? 0) + 1;
      this.perPartition.set(p, n);
      if (n > 1) this.overlapped.add(p);
    }
  }

  leave(partitions: number[]): void {
    this.now--;
    for (const p of partitions) this.perPartition.set(p, this.perPartition.get(p)! - 1);
  }
}

/**
 * A KafkaJS idempotent producer reduced to its sequence bookkeeping (no retries of its own) and its per-broker lock.
 * `hold(partitions)` may return a promise that keeps the request in flight until it settles (after the sequence
 * numbers are taken, before the broker's reply).
 */
function fakeProducer(
  broker: Broker,
  sends: Send[],
  inFlight: InFlight,
  hold: (partitions: number[]) => Promise<void> | undefined,
): Producer {
  const producerId = broker.newProducerId();
  const sequence = new Map<number, number>();
  let lock: Promise<unknown> = Promise.resolve();
  const request = async (messages: Message[]) => {
    await Promise.resolve();
    const byPartition = new Map<number, Message[]>();
    for (const m of messages) byPartition.set(m.partition!, [...(byPartition.get(m.partition!) ?? []), m]);
    const partitions = [...byPartition.keys()];
    sends.push({ producerId, partitions });
    const taken = partitions.map((partition) => {
      const first = sequence.get(partition) ?? 0;
      sequence.set(partition, first + byPartition.get(partition)!.length);
      return first;
    });
    inFlight.enter(partitions);
    try {
      await hold(partitions);
      partitions.forEach((partition, i) => {
        const records = byPartition.get(partition)!;
        try {
          broker.produce(producerId, partition, taken[i]!, records);
        } catch (error) {
          // KafkaJS gives the sequence numbers of a failed request back.
          sequence.set(partition, (sequence.get(partition) ?? 0) - records.length);
          throw error;
        }
      });
    } finally {
      inFlight.leave(partitions);
    }
    return [];
  };
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    // One request at a time, like KafkaJS's idempotent producer towards one broker.
    send: ({ messages }: { messages: Message[] }) => {
      const result = lock.then(() => request(messages));
      lock = result.catch(() => undefined);
      return result;
    },
  };
  return producer as unknown as Producer;
}

const PARTITIONS = 6;

function setup(
  options: {
    retryForMs?: number;
    startWithinMs?: number;
    producers?: number;
    send?: (p: Producer) => Producer;
    hold?: (partitions: number[]) => Promise<void> | undefined;
  } = {},
) {
  const broker = new Broker();
  const sends: Send[] = [];
  const inFlight = new InFlight();
  const sender = new IdempotentSender({
    newProducer: () =>
      (options.send ?? ((p) => p))(fakeProducer(broker, sends, inFlight, options.hold ?? (() => undefined))),
    partitionCount: () => Promise.resolve(PARTITIONS),
    requestTimeoutMs: 1_000,
    retryForMs: options.retryForMs ?? 10_000,
    startWithinMs: options.startWithinMs ?? 10_000,
    logger: pino({ level: 'silent' }),
    ...(options.producers === undefined ? {} : { producers: options.producers }),
  });
  return { broker, sends, sender, inFlight };
}

const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionId,
  leader: 1,
  replicas: [1],
  isr: [1],
  offlineReplicas: [],
  partitionErrorCode: 0,
}));
const partitionOf = (key: string) => partitioner({ topic: 't', partitionMetadata, message: { key, value: '' } });

/** An order key that KafkaJS's partitioner puts on `partition`. */
function keyOn(partition: number): string {
  for (let i = 0; ; i++) if (partitionOf(`ORDER-${i}`) === partition) return `ORDER-${i}`;
}

/** A gate that holds requests until opened. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
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
    const expected = new Set(keys.map(partitionOf));
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

  describe('with several producers (partition p on producer p mod producers)', () => {
    it('sends every partition of a batch at once, each partition from the same producer batch after batch', async () => {
      const all = Array.from({ length: PARTITIONS }, (_, p) => message(`p${p}`, keyOn(p)));
      const spread = setup({ producers: PARTITIONS });
      await spread.sender.send('t', all);
      await spread.sender.send(
        't',
        all.map((m, p) => ({ ...m, value: Buffer.from(`again${p}`) })),
      );
      // Six requests in flight together: KafkaJS's lock is per producer, and each partition has its own.
      expect(spread.inFlight.most).toBe(PARTITIONS);
      const producerOf = new Map<number, Set<number>>();
      for (const { producerId, partitions } of spread.sends) {
        for (const p of partitions) producerOf.set(p, (producerOf.get(p) ?? new Set()).add(producerId));
      }
      expect([...producerOf.values()].map((ids) => ids.size)).toEqual(Array(PARTITIONS).fill(1));
      expect(new Set(spread.sends.map((s) => s.producerId)).size).toBe(PARTITIONS);
      expect(spread.broker.written()).toHaveLength(2 * PARTITIONS);

      // Against one producer, whose lock makes them queue (the cost this removes).
      const single = setup({ producers: 1 });
      await single.sender.send('t', all);
      expect(single.inFlight.most).toBe(1);
    });

    it('lets a later batch use a free producer while an earlier one waits on another, never two requests for one partition', async () => {
      const held = gate();
      const { sender, broker, inFlight } = setup({
        producers: 2,
        hold: (partitions) => (partitions.includes(1) ? held.opened : undefined),
      });
      // Partitions 0 and 2 are on producer 0, 1 on producer 1 (held).
      const first = sender.send('t', [message('a0', keyOn(0)), message('a1', keyOn(1))]);
      await sender.send('t', [message('b0', keyOn(0)), message('b2', keyOn(2))]);
      expect(broker.written()).toEqual(['a0', 'b0', 'b2']);
      // Partition 1 is busy: the next batch for it waits for the first instead of sending alongside it.
      const third = sender.send('t', [message('c1', keyOn(1))]);
      held.open();
      await Promise.all([first, third]);
      expect(broker.written()).toEqual(['a0', 'a1', 'b0', 'b2', 'c1']);
      expect(broker.log.get(1)).toEqual(['a1', 'c1']);
      expect(inFlight.overlapped.size).toBe(0);
    });

    it('keeps the order of batches on a partition: a batch waiting for a busy producer is not overtaken on its free one', async () => {
      const held = gate();
      const { sender, broker } = setup({
        producers: PARTITIONS,
        hold: (partitions) => (partitions.includes(1) ? held.opened : undefined),
      });
      const first = sender.send('t', [message('a1', keyOn(1))]);
      const second = sender.send('t', [message('b0', keyOn(0)), message('b1', keyOn(1))]);
      const third = sender.send('t', [message('c0', keyOn(0))]);
      held.open();
      await Promise.all([first, second, third]);
      expect(broker.log.get(0)).toEqual(['b0', 'c0']);
    });

    it('replaces only the producer id of the producer whose part failed; the next batch of the same size is written', async () => {
      const { sender, broker, sends } = setup({ producers: PARTITIONS, retryForMs: 0 });
      const [p, q] = [partitionOf('order-1'), (partitionOf('order-1') + 1) % PARTITIONS];
      await sender.send('t', [message('q1', keyOn(q))]);
      broker.faults.push('reply-lost');
      await expect(sender.send('t', [message('a')])).rejects.toThrow(/timed out/);
      await sender.send('t', [message('b')]);
      await sender.send('t', [message('q2', keyOn(q))]);
      expect(broker.log.get(p)).toEqual(['a', 'b']);
      const idsOf = (partition: number) =>
        sends.filter((s) => s.partitions.includes(partition)).map((s) => s.producerId);
      expect(new Set(idsOf(p)).size).toBe(2);
      expect(new Set(idsOf(q)).size).toBe(1);
    });

    it('sends nothing of a batch when one of its producers cannot connect, and connects a new one for the next', async () => {
      let created = 0;
      const { sender, broker } = setup({
        producers: 2,
        send: (p) => {
          created++;
          // The second producer (partition 1's) is refused once, as by a broker going away.
          return created === 2 ? { ...p, connect: () => Promise.reject(new Error('Connection error')) } : p;
        },
      });
      const batch = () => sender.send('t', [message('a0', keyOn(0)), message('a1', keyOn(1))]);
      await expect(batch()).rejects.toThrow(/Connection error/);
      expect(broker.written()).toEqual([]);
      await batch();
      expect(broker.written()).toEqual(['a0', 'a1']);
    });

    it('drops a batch whole when it waited past startWithinMs for one of its producers: no part of it is sent', async () => {
      const held = gate();
      const { sender, broker } = setup({
        producers: PARTITIONS,
        startWithinMs: 20,
        hold: (partitions) => (partitions.includes(1) ? held.opened : undefined),
      });
      const first = sender.send('t', [message('a1', keyOn(1))]);
      // Its producer for partition 0 is free, the one for partition 1 is not.
      const late = sender.send('t', [message('b0', keyOn(0)), message('b1', keyOn(1))]);
      const refused = expect(late).rejects.toSatisfy((e) => isConnectorError(e) && e.code === 'PRODUCE_DEADLINE');
      setTimeout(held.open, 60);
      await first;
      await refused;
      expect(broker.written()).toEqual(['a1']);
    });
  });
});
