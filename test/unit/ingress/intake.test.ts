import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_BRAND } from '../../../common/index.js';
import { createIntake, type IntakeConfig, type WebhookIdentity, type WebhookRequest } from '../../../ingress/intake.js';
import type { OutgoingMessage } from '../../../ingress/kafka.js';
import { createIngressMetrics } from '../../../ingress/metrics.js';
import { parseAllowlist } from '../../../ingress/allowlist.js';
import { parsePublicKey } from '../../../ingress/signature.js';
import { RegistryUnavailableError, type FluentWebhookRecord } from '../../../schemas/index.js';
import { createWebhookSigner } from '../../../sim/signing.js';

const signer = createWebhookSigner(1024);
const RECEIVED_AT = 1_700_000_000_000;

const config: IntakeConfig = {
  topic: 'fluent.webhooks',
  signature: { publicKeys: [parsePublicKey(signer.publicKeyBase64)], acceptFlexSignature: false, async: false },
  dedup: { maxEntries: 100, ttlMs: 60_000 },
  batch: {
    lingerMs: 0,
    maxBatchSize: 500,
    maxInFlight: 2,
    produceTimeoutMs: 5_000,
    idempotent: false,
    maxMessageBytes: 1_000_000,
    maxQueuedBytes: 64 * 1_048_576,
  },
  accounts: parseAllowlist(['*']),
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An intake over a fake producer (records what it sends, or fails) and a fake encoder (JSON of the record). */
function setup(
  options: {
    send?: (messages: OutgoingMessage[]) => Promise<void>;
    encode?: (record: FluentWebhookRecord) => Promise<Buffer>;
    config?: Partial<IntakeConfig>;
  } = {},
) {
  const sent: OutgoingMessage[] = [];
  const encoded: FluentWebhookRecord[] = [];
  const intake = createIntake(
    { ...config, ...options.config },
    {
      producer: {
        send: (_topic, messages) => {
          sent.push(...messages);
          return options.send ? options.send(messages) : Promise.resolve();
        },
      },
      serde: {
        encode: (_topic, record) => {
          encoded.push(record);
          return options.encode ? options.encode(record) : Promise.resolve(Buffer.from(JSON.stringify(record.id)));
        },
      },
      logger: pino({ level: 'silent' }),
      metrics: createIngressMetrics({ defaultMetrics: false }),
      now: () => RECEIVED_AT,
    },
  );
  return { intake, sent, encoded };
}

function payload(overrides: Record<string, unknown> = {}) {
  return {
    id: 'e1',
    name: 'order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    rootEntityRef: 'O_1',
    entityId: '7',
    entityRef: 'FO_1',
    entityType: 'FULFILMENT',
    ...overrides,
  };
}

/** A signed request for `body` (an object is serialised as JSON). */
function signed(body: unknown, headers: Record<string, string> = {}): WebhookRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return { body: bytes, headers: { ...signer.headers(bytes), ...headers } };
}

/** The rejection of `work`, for assertions on code, status and details. */
async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    return error as { code: string; status: number; message: string; details: unknown };
  }
  throw new Error('expected a refusal');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('intake: a valid webhook', () => {
  it('produces one record keyed by the order ref with the contract headers, after telling who it is', async () => {
    const { intake, sent, encoded } = setup();
    const seen: WebhookIdentity[] = [];
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const result = await intake.accept(signed(payload(), { traceparent: incoming }), (w) => seen.push(w));

    expect(result).toEqual({ status: 'accepted', id: 'e1' });
    expect(seen).toEqual([{ id: 'e1', orderRef: 'O_1', name: 'order-status-update' }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.key).toBe('O_1');
    expect(sent[0]!.headers).toEqual({
      'fc-message-name': 'order-status-update',
      'fc-event-id': 'e1',
      'fc-received-at': String(RECEIVED_AT),
      traceparent: expect.stringMatching(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/),
    });
    expect(encoded[0]).toMatchObject({ id: 'e1', receivedAt: RECEIVED_AT, signatureAlgorithm: 'SHA512' });
  });

  it('answers a repeat of an acknowledged event as a duplicate without producing again', async () => {
    const { intake, sent } = setup();
    await intake.accept(signed(payload()));
    expect(await intake.accept(signed(payload()))).toEqual({ status: 'duplicate', id: 'e1' });
    expect(sent).toHaveLength(1);
  });
});

describe('intake: refusals (nothing produced, nobody identified)', () => {
  const cases: [string, WebhookRequest, string, number][] = [
    ['an empty body', { body: Buffer.alloc(0), headers: {} }, 'INVALID_JSON', 400],
    ['a body that is not bytes', { body: { id: 'e1' }, headers: {} }, 'INVALID_JSON', 400],
    ['no signature', { body: Buffer.from(JSON.stringify(payload())), headers: {} }, 'MISSING_SIGNATURE', 401],
    [
      'a signature over other bytes',
      { body: Buffer.from(JSON.stringify(payload())), headers: signer.headers('other') },
      'INVALID_SIGNATURE',
      401,
    ],
    ['bytes that are not UTF-8', signed(Buffer.from([0x7b, 0xff, 0x7d])), 'INVALID_JSON', 400],
    ['text that is not JSON', signed(Buffer.from('{"id":')), 'INVALID_JSON', 400],
    ['JSON that is not an object', signed([1, 2]), 'INVALID_PAYLOAD', 400],
  ];
  it.each(cases)('refuses %s', async (_name, request, code, status) => {
    const { intake, sent } = setup();
    const identified = vi.fn();
    expect(await refusal(intake.accept(request, identified))).toMatchObject({ code, status });
    expect(identified).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
  });

  it('names every missing and mistyped field', async () => {
    const { intake } = setup();
    const error = await refusal(intake.accept(signed(payload({ accountId: undefined, entityRef: 7 }))));
    expect(error).toMatchObject({ code: 'MISSING_FIELDS', status: 400 });
    expect(error.details).toEqual({
      missing: ['accountId'],
      mistyped: [expect.objectContaining({ field: 'entityRef', expected: 'string' })],
    });
  });

  it('refuses a record larger than the broker takes with 413 and does not remember it', async () => {
    const { intake, sent } = setup({
      encode: () => Promise.resolve(Buffer.alloc(2_048)),
      config: { batch: { ...config.batch, maxMessageBytes: 1_500 } },
    });
    expect(await refusal(intake.accept(signed(payload())))).toMatchObject({ code: 'RECORD_TOO_LARGE', status: 413 });
    expect(await refusal(intake.accept(signed(payload())))).toMatchObject({ code: 'RECORD_TOO_LARGE' });
    expect(sent).toEqual([]);
  });
});

describe('intake: produce trouble is a 503, decided by error code', () => {
  it('maps a registry outage (also one branded by another copy of the modules) to REGISTRY_UNAVAILABLE', async () => {
    const foreign = Object.assign(new Error('registry down'), { [ERROR_BRAND]: true, code: 'REGISTRY_UNAVAILABLE' });
    for (const failure of [new RegistryUnavailableError('down'), foreign]) {
      const { intake, sent } = setup({ encode: () => Promise.reject(failure) });
      expect(await refusal(intake.accept(signed(payload())))).toMatchObject({
        code: 'REGISTRY_UNAVAILABLE',
        status: 503,
      });
      expect(sent).toEqual([]);
    }
  });

  it('maps a failed produce to KAFKA_UNAVAILABLE and lets the retry produce again', async () => {
    let calls = 0;
    const { intake, sent } = setup({
      send: () => (calls++ === 0 ? Promise.reject(new Error('broker down')) : Promise.resolve()),
    });
    const error = await refusal(intake.accept(signed(payload())));
    expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
    expect(error.message).toBe('Kafka did not acknowledge the event, retry later');
    expect(await intake.accept(signed(payload()))).toEqual({ status: 'accepted', id: 'e1' });
    expect(sent).toHaveLength(2);
  });

  it('maps an unacknowledged produce (batch timeout) to KAFKA_UNAVAILABLE', async () => {
    vi.useFakeTimers();
    const { intake } = setup({ send: () => new Promise<void>(() => {}) });
    const answer = refusal(intake.accept(signed(payload())));
    await vi.advanceTimersByTimeAsync(config.batch.produceTimeoutMs);
    expect(await answer).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
  });
});

describe('intake: a hung broker', () => {
  it('answers every queued webhook 503 KAFKA_UNAVAILABLE within INGRESS_PRODUCE_TIMEOUT_MS and never produces it after', async () => {
    vi.useFakeTimers();
    // Two records per produce call, one call at a time: 20 webhooks are 10 calls deep behind the hung one.
    const { intake, sent } = setup({
      send: () => new Promise<void>(() => {}),
      config: { batch: { ...config.batch, maxBatchSize: 2, maxInFlight: 1 } },
    });
    const answers = Array.from({ length: 20 }, (_, n) => refusal(intake.accept(signed(payload({ id: `e${n}` })))));
    await vi.advanceTimersByTimeAsync(config.batch.produceTimeoutMs);
    const refusals = await Promise.all(answers);
    expect(refusals.map((e) => `${e.status} ${e.code}`)).toEqual(Array(20).fill('503 KAFKA_UNAVAILABLE'));
    await vi.advanceTimersByTimeAsync(10 * config.batch.produceTimeoutMs);
    expect(sent.map((m) => m.headers['fc-event-id'])).toEqual(['e0', 'e1']);
  });
});

describe('intake: the produce queue is bounded by bytes', () => {
  it('answers 503 OVERLOADED once the waiting records exceed maxQueuedBytes (INGRESS_MAX_QUEUED_BYTES)', async () => {
    const { intake } = setup({
      send: () => new Promise<void>(() => {}),
      config: { batch: { ...config.batch, maxBatchSize: 1, maxInFlight: 1, maxQueuedBytes: 1 } },
    });
    void intake.accept(signed(payload({ id: 'in-flight' }))).catch(() => {});
    await new Promise((r) => setImmediate(r));
    void intake.accept(signed(payload({ id: 'queued' }))).catch(() => {}); // an empty queue takes any one record
    expect(await refusal(intake.accept(signed(payload({ id: 'over' }))))).toMatchObject({
      code: 'OVERLOADED',
      status: 503,
    });
  });
});

describe('intake: shutdown', () => {
  it('refuses new webhooks with SHUTTING_DOWN once shutdown began', async () => {
    const { intake, sent } = setup();
    intake.beginShutdown();
    expect(intake.shuttingDown).toBe(true);
    expect(await refusal(intake.accept(signed(payload())))).toMatchObject({ code: 'SHUTTING_DOWN', status: 503 });
    expect(sent).toEqual([]);
  });

  it('close still produces a webhook that was past the door (here: waiting for its encode)', async () => {
    const reached = deferred();
    const gate = deferred();
    const { intake, sent } = setup({
      encode: async (record) => {
        reached.resolve();
        await gate.promise;
        return Buffer.from(record.id);
      },
    });
    const answer = intake.accept(signed(payload()));
    await reached.promise;
    const closed = intake.close();
    expect(await refusal(intake.accept(signed(payload({ id: 'late' }))))).toMatchObject({ code: 'SHUTTING_DOWN' });
    gate.resolve();
    await closed;
    expect(await answer).toEqual({ status: 'accepted', id: 'e1' });
    expect(sent.map((m) => m.headers['fc-event-id'])).toEqual(['e1']);
  });
});

describe('intake: the account allowlist (FLUENT_ACCOUNTS)', () => {
  it('refuses a validly signed webhook of another account with 403 ACCOUNT_NOT_ALLOWED and produces nothing', async () => {
    const { intake, sent, encoded } = setup({ config: { accounts: parseAllowlist(['ACME']) } });
    const error = await refusal(intake.accept(signed(payload({ id: 'other', accountId: 'OTHERCO' }))));
    expect(error).toMatchObject({ code: 'ACCOUNT_NOT_ALLOWED', status: 403 });
    expect(error.message).toMatch(/account OTHERCO \(retailer 1\) is not served .*FLUENT_ACCOUNTS/);
    expect(sent).toEqual([]);
    expect(encoded).toEqual([]);
  });

  it('with account:retailer entries, refuses other retailers of the same account', async () => {
    const { intake, sent } = setup({ config: { accounts: parseAllowlist(['ACME:1', 'ACME:2']) } });
    await expect(intake.accept(signed(payload({ id: 'r1', retailerId: '1' })))).resolves.toMatchObject({
      status: 'accepted',
    });
    const error = await refusal(intake.accept(signed(payload({ id: 'r3', retailerId: '3' }))));
    expect(error).toMatchObject({ code: 'ACCOUNT_NOT_ALLOWED', status: 403 });
    expect(sent).toHaveLength(1);
  });

  it('checks the signature first: an unsigned webhook of another account is 401, not 403', async () => {
    const { intake } = setup({ config: { accounts: parseAllowlist(['ACME']) } });
    const body = Buffer.from(JSON.stringify(payload({ accountId: 'OTHERCO' })));
    const error = await refusal(intake.accept({ body, headers: {} }));
    expect(error).toMatchObject({ code: 'MISSING_SIGNATURE', status: 401 });
  });

  it('a refused webhook is not remembered: once the account is served, the same event id is produced', async () => {
    const refused = setup({ config: { accounts: parseAllowlist(['ACME']) } });
    await refusal(refused.intake.accept(signed(payload({ id: 'same', accountId: 'NEWCO' }))));
    const served = setup({ config: { accounts: parseAllowlist(['ACME', 'NEWCO']) } });
    await expect(served.intake.accept(signed(payload({ id: 'same', accountId: 'NEWCO' })))).resolves.toMatchObject({
      status: 'accepted',
    });
  });
});

describe('intake: a retry of a webhook answered 503 while its record was inside a produce call (in doubt)', () => {
  /** A producer whose first call hangs until the test settles it; later calls acknowledge at once. */
  function firstCallHangs() {
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    let calls = 0;
    const send = () => {
      if (calls++ > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
    };
    return { send, settle: () => settle };
  }

  async function answeredInDoubt() {
    vi.useFakeTimers();
    const producer = firstCallHangs();
    const setupResult = setup({ send: producer.send });
    const first = refusal(setupResult.intake.accept(signed(payload())));
    await vi.advanceTimersByTimeAsync(config.batch.produceTimeoutMs);
    expect(await first).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
    return { ...setupResult, settle: producer.settle };
  }

  it('waits for the in-doubt produce and answers 200 without producing once it was acknowledged', async () => {
    const { intake, sent, settle } = await answeredInDoubt();
    let answer: unknown;
    void intake.accept(signed(payload())).then((result) => (answer = result));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(answer).toBeUndefined(); // still waiting for the first produce call
    settle().resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer).toEqual({ status: 'duplicate', id: 'e1' });
    expect(sent).toHaveLength(1);
    // Recorded as done: a later retry is a duplicate at once.
    expect(await intake.accept(signed(payload()))).toEqual({ status: 'duplicate', id: 'e1' });
    expect(sent).toHaveLength(1);
  });

  it('produces the retry normally once the in-doubt produce failed', async () => {
    const { intake, sent, settle } = await answeredInDoubt();
    const retry = intake.accept(signed(payload()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(1); // the retry waits for the first call rather than writing a second copy
    settle().reject(new Error('NOT_ENOUGH_REPLICAS'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await retry).toEqual({ status: 'accepted', id: 'e1' });
    expect(sent).toHaveLength(2);
  });

  it('answers the retry 503 at its own deadline, without producing, while the outcome is still unknown', async () => {
    const { intake, sent } = await answeredInDoubt();
    const retry = refusal(intake.accept(signed(payload())));
    await vi.advanceTimersByTimeAsync(config.batch.produceTimeoutMs);
    expect(await retry).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
    expect(sent).toHaveLength(1);
  });

  it('does not hold back the retry of a webhook answered 503 before its record reached a produce call', async () => {
    vi.useFakeTimers();
    // One call at a time, one record per call: e0's call hangs, e1 waits in the queue and leaves it at its deadline.
    const producer = firstCallHangs();
    const { intake, sent } = setup({
      send: producer.send,
      config: { batch: { ...config.batch, maxBatchSize: 1, maxInFlight: 1 } },
    });
    void intake.accept(signed(payload({ id: 'e0' }))).catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    const queued = refusal(intake.accept(signed(payload({ id: 'e1' }))));
    await vi.advanceTimersByTimeAsync(config.batch.produceTimeoutMs);
    expect(await queued).toMatchObject({ status: 503 });
    producer.settle().reject(new Error('broker gone')); // frees the slot
    expect(await intake.accept(signed(payload({ id: 'e1' })))).toEqual({ status: 'accepted', id: 'e1' });
    expect(sent.map((m) => m.headers['fc-event-id'])).toEqual(['e0', 'e1']);
  });
});
