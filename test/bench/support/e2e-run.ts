/**
 * End-to-end latency benchmark core: the real ingress and processor as child processes (sim/pipeline.ts),
 * simulators in this process. Signed webhooks are sent OPEN-LOOP at a fixed rate (each at its scheduled time,
 * whether or not earlier ones have been answered, so a slow pipeline cannot hide latency by slowing the sender).
 * Each event is about its own order (Fluent BOOKED, commercetools Open), so each causes exactly one commercetools
 * update; its latency is the time from the ingress's 200 to the update's timestamp in the commercetools simulator's
 * history. `findMaxRate` ramps the rate up in short steps; `runLevel` measures one fixed rate.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { Pool } from 'undici';
import { ORDER_STATUS_UPDATE } from '../../../sim/fluent/index.js';
import { startPipeline, type Pipeline } from '../../../sim/pipeline.js';
import { benchName, percentile, type Infra } from './common.js';

export interface E2eHarness {
  readonly pipeline: Pipeline;
  /** Sends and measures one fixed-rate level. */
  runLevel(options: LevelOptions): Promise<LevelResult>;
  close(): Promise<void>;
}

export interface E2eHarnessOptions {
  readonly infra: Infra;
  readonly partitions: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly logDir: string;
  /** Keep-alive connections from the load generator to the ingress. Default 256. */
  readonly connections?: number;
  /** DOWNSTREAM_BATCH_READS for the processor (docs/architecture.md "Batched reads"). Default true, its default. */
  readonly batchReads?: boolean;
}

export interface LevelOptions {
  readonly label: string;
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** After the last send, how long to wait for every accepted event to reach commercetools. */
  readonly graceMs: number;
  readonly onProgress?: (line: string) => void;
  /** Receives every applied event's webhook 200 → update latency (ms), to pool several levels into one summary. */
  readonly e2eSamplesMs?: number[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface LevelResult {
  readonly label: string;
  readonly targetRatePerSec: number;
  readonly durationMs: number;
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: number;
  /** Accepted per second over the sending window. */
  readonly acceptedPerSec: number;
  /** commercetools updates per second, first accepted → last applied. */
  readonly appliedPerSec: number;
  readonly applied: number;
  /** Accepted events whose commercetools order was not updated within the grace time. */
  readonly notApplied: number;
  /** Webhook 200 → commercetools update applied (ms). */
  readonly e2eMs: LatencySummary;
  /** Scheduled send time → ingress 200 (ms; includes any queueing in the load generator). */
  readonly ingressMs: LatencySummary;
  /** How late the generator was behind its schedule at worst (ms): large values mean this process was saturated. */
  readonly maxScheduleLagMs: number;
  /** Orders updated more than once or into a wrong state (must be 0). */
  readonly wrongUpdates: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean,
  };
}

interface Prepared {
  readonly ref: string;
  readonly body: string;
  readonly signature: string;
}

export async function startE2eHarness(options: E2eHarnessOptions): Promise<E2eHarness> {
  // RSA-1024 like Fluent's own keys; signing happens before each level, outside the timed window.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const pipeline = await startPipeline({
    kafkaBrokers: options.infra.kafkaBrokers,
    schemaRegistryUrl: options.infra.schemaRegistryUrl,
    topic: benchName('bench.e2e'),
    groupId: benchName('bench.e2e.group'),
    partitions: options.partitions,
    logDir: options.logDir,
    simLatencyMs: options.latencyMs,
    env: {
      LOG_LEVEL: 'warn',
      PROCESSOR_CONCURRENCY: String(options.concurrency),
      // Always explicit: a DOWNSTREAM_BATCH_READS in the caller's shell must not turn one variant into the other.
      DOWNSTREAM_BATCH_READS: String(options.batchReads ?? true),
      FLUENT_WEBHOOK_PUBLIC_KEYS: publicKeyBase64,
    },
  });
  const pool = new Pool(pipeline.ingressUrl, { connections: options.connections ?? 256, pipelining: 1 });
  let orderSeq = 0;
  const runId = randomUUID().slice(0, 6);

  const prepare = (count: number, key: KeyObject): Prepared[] => {
    const out: Prepared[] = [];
    for (let i = 0; i < count; i++) {
      const n = orderSeq++;
      const id = String(1_000_000 + n);
      const ref = `E${runId}_${n}`;
      pipeline.fluent.store.upsertOrder({ id, ref, status: 'BOOKED', retailerId: '1' });
      pipeline.ct.store.createOrder({ orderNumber: ref });
      const body = JSON.stringify({
        id: randomUUID(),
        name: ORDER_STATUS_UPDATE,
        accountId: 'ACME',
        retailerId: '1',
        rootEntityId: id,
        rootEntityRef: ref,
        rootEntityType: 'ORDER',
        entityId: id,
        entityRef: ref,
        entityType: 'ORDER',
        entityStatus: 'BOOKED',
        type: 'HD',
        attributes: {},
      });
      out.push({ ref, body, signature: createSign('sha512').update(body).sign(key, 'base64') });
    }
    return out;
  };

  // Accepted events not yet applied by an earlier (overloaded) level: drained before the next level starts so its
  // backlog does not inflate the next level's latencies.
  const outstanding = new Set<string>();
  const drainOutstanding = async (timeoutMs: number): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    while (outstanding.size > 0 && Date.now() < deadline) {
      for (const ref of outstanding) {
        const order = pipeline.ct.store.getByNumber(ref);
        if (order && order.version > 1) outstanding.delete(ref);
      }
      if (outstanding.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    return outstanding.size;
  };

  async function runLevel(level: LevelOptions): Promise<LevelResult> {
    const left = await drainOutstanding(60_000);
    if (left > 0) level.onProgress?.(`${left} events of an earlier level still not applied after 60 s`);
    const total = Math.max(1, Math.round((level.ratePerSec * level.durationMs) / 1000));
    const events = prepare(total, privateKey);
    const acceptedAt = new Array<number>(total).fill(0);
    const scheduledAt = new Array<number>(total).fill(0);
    let rejected = 0;
    let errors = 0;
    let answered = 0;
    let maxLag = 0;
    const inFlight: Promise<void>[] = [];
    const start = Date.now() + 20;
    const intervalMs = 1000 / level.ratePerSec;

    const send = (i: number): Promise<void> => {
      const event = events[i]!;
      return pool
        .request({
          method: 'POST',
          path: '/api/v1/fluent-connect/webhook',
          headers: { 'content-type': 'application/json', 'fluent-signature': event.signature },
          body: event.body,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode === 200) acceptedAt[i] = Date.now();
          else rejected++;
        })
        .catch(() => {
          errors++;
        })
        .finally(() => {
          answered++;
        });
    };

    // Open loop: a coarse timer releases every event whose scheduled time has come.
    let next = 0;
    let lastReport = start;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = Date.now();
        while (next < total && start + next * intervalMs <= now) {
          scheduledAt[next] = start + next * intervalMs;
          maxLag = Math.max(maxLag, now - scheduledAt[next]!);
          inFlight.push(send(next));
          next++;
        }
        if (level.onProgress && now - lastReport >= 2_000) {
          lastReport = now;
          level.onProgress(`sent ${next}/${total}, answered ${answered}`);
        }
        if (next >= total) return resolve();
        setTimeout(tick, Math.min(5, Math.max(1, intervalMs)));
      };
      setTimeout(tick, Math.max(0, start - Date.now()));
    });
    await Promise.all(inFlight);
    const sendEnd = Date.now();

    // Wait (bounded) until every accepted event's order has been updated.
    const pendingRefs = new Set(events.filter((_, i) => acceptedAt[i]! > 0).map((e) => e.ref));
    const graceDeadline = Date.now() + level.graceMs;
    while (pendingRefs.size > 0 && Date.now() < graceDeadline) {
      for (const ref of pendingRefs) {
        const order = pipeline.ct.store.getByNumber(ref);
        if (order && order.version > 1) pendingRefs.delete(ref);
      }
      if (pendingRefs.size > 0) await new Promise((r) => setTimeout(r, 50));
    }

    for (const ref of pendingRefs) outstanding.add(ref);

    const e2e: number[] = [];
    const ingress: number[] = [];
    let applied = 0;
    let wrong = 0;
    let lastApplied = 0;
    events.forEach((event, i) => {
      if (!acceptedAt[i]) return;
      ingress.push(acceptedAt[i] - scheduledAt[i]!);
      const updates = pipeline.ct.store.history({ orderNumber: event.ref }).filter((h) => h.source === 'update');
      if (updates.length === 0) return;
      const first = updates[0]!;
      if (
        updates.length > 1 ||
        first.orderState !== 'Confirmed' ||
        first.paymentState !== 'Paid' ||
        first.shipmentState !== 'Pending'
      ) {
        wrong++;
      }
      const at = Date.parse(first.at);
      applied++;
      lastApplied = Math.max(lastApplied, at);
      e2e.push(Math.max(0, at - acceptedAt[i]));
    });
    level.e2eSamplesMs?.push(...e2e);
    const accepted = acceptedAt.filter((t) => t > 0).length;
    const firstAccepted = Math.min(...acceptedAt.filter((t) => t > 0));
    return {
      label: level.label,
      targetRatePerSec: level.ratePerSec,
      durationMs: level.durationMs,
      sent: total,
      accepted,
      rejected,
      errors,
      acceptedPerSec: accepted / Math.max(0.001, (sendEnd - start) / 1000),
      appliedPerSec: applied > 0 ? applied / Math.max(0.001, (lastApplied - firstAccepted) / 1000) : 0,
      applied,
      notApplied: accepted - applied,
      e2eMs: summarise(e2e),
      ingressMs: summarise(ingress),
      maxScheduleLagMs: maxLag,
      wrongUpdates: wrong,
    };
  }

  return {
    pipeline,
    runLevel,
    async close() {
      await pool.close().catch(() => undefined);
      await pipeline.stop();
    },
  };
}

export interface RampOptions {
  readonly rates: readonly number[];
  readonly stepMs: number;
  readonly graceMs: number;
  /** A level counts as sustained when its e2e p99 stays under this (ms). */
  readonly maxP99Ms: number;
  readonly onProgress?: (line: string) => void;
}

/** A level is sustained when nearly everything sent was accepted on schedule and reached commercetools promptly. */
export function isSustained(r: LevelResult, maxP99Ms: number): boolean {
  return (
    r.errors === 0 &&
    r.rejected === 0 &&
    r.notApplied === 0 &&
    r.wrongUpdates === 0 &&
    r.acceptedPerSec >= r.targetRatePerSec * 0.9 &&
    r.e2eMs.p99 <= maxP99Ms
  );
}

/** Steps the rate up until a level is not sustained; returns every step and the highest sustained rate. */
export async function findMaxRate(
  harness: E2eHarness,
  options: RampOptions,
): Promise<{ steps: LevelResult[]; maxSustainedPerSec: number }> {
  const steps: LevelResult[] = [];
  let max = 0;
  for (const rate of options.rates) {
    const result = await harness.runLevel({
      label: `ramp ${rate}/s`,
      ratePerSec: rate,
      durationMs: options.stepMs,
      graceMs: options.graceMs,
      onProgress: options.onProgress,
    });
    steps.push(result);
    options.onProgress?.(
      `ramp ${rate}/s: accepted ${result.accepted}/${result.sent}, applied ${result.applied}, p99 ${result.e2eMs.p99.toFixed(0)} ms`,
    );
    if (!isSustained(result, options.maxP99Ms)) break;
    max = rate;
  }
  return { steps, maxSustainedPerSec: max };
}
