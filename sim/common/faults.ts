/**
 * Run-time fault injection shared by both simulators. Pure decision logic: the HTTP layer asks `decide(endpoint)`
 * once per request and acts on the answer, so the policy can be unit-tested without sockets.
 *
 * Every setting can be changed while the simulator runs (`faults.set({...}, endpoint?)`). Settings are kept per
 * endpoint (e.g. `token`, `graphql`); `set(patch)` without an endpoint applies the patch to all of them.
 */

export interface FaultConfig {
  /** Added latency before every answer (including fault answers), ms. Default 0. */
  latencyMs: number;
  /** Extra uniformly random latency in [0, jitterMs), ms. Default 0. */
  jitterMs: number;
  /** Probability (0..1) that a request fails with one of `errorStatuses`. Default 0. */
  errorRate: number;
  /** Statuses used for injected errors, picked at random. Default [503]. */
  errorStatuses: number[];
  /** Probability (0..1) of a 429 answer. Default 0. */
  rateLimitRate: number;
  /** `Retry-After` header (seconds) sent with injected 429s. Default 1. */
  retryAfterSeconds: number;
  /** Probability (0..1) that a request is held without an answer for `timeoutMs`, then the socket is destroyed. */
  timeoutRate: number;
  /** How long a "timed out" request is held, ms. Default 30 000 (longer than any sane client timeout). */
  timeoutMs: number;
  /** Full outage: every request fails. Default false. */
  outage: boolean;
  /** `status`: answer `outageStatus`; `reset`: destroy the socket (connection reset). Default `status`. */
  outageMode: 'status' | 'reset';
  /** Status used during an outage in `status` mode. Default 503. */
  outageStatus: number;
  /**
   * commercetools only: probability (0..1) that an `updateOrder` meets a concurrent writer (the simulator bumps the
   * order's version first, then fails the update with ConcurrentModification). Ignored by the Fluent simulator.
   */
  conflictRate: number;
}

export const DEFAULT_FAULTS: Readonly<FaultConfig> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatuses: [503],
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  timeoutMs: 30_000,
  outage: false,
  outageMode: 'status',
  outageStatus: 503,
  conflictRate: 0,
});

/** What the HTTP layer should do with one request. `delayMs` applies before the action. */
export type FaultDecision =
  | { kind: 'pass'; delayMs: number }
  | { kind: 'status'; delayMs: number; status: number; reason: FaultKind; retryAfterSeconds?: number }
  | { kind: 'hold'; delayMs: number; holdMs: number }
  | { kind: 'reset'; delayMs: number };

export type FaultKind = 'outage' | 'forced' | 'error' | 'rateLimit' | 'timeout' | 'reset' | 'conflict';

interface ForcedFailure {
  remaining: number;
  status: number;
}

/** Small seedable PRNG (mulberry32) so fault sequences are reproducible when a test passes `seed`. */
export function createRandom(seed?: number): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultController<E extends string = string> {
  private readonly configs = new Map<E, FaultConfig>();
  private readonly forced = new Map<E, ForcedFailure[]>();
  private forcedConflicts = 0;
  /** Faults injected so far, by kind (also mirrored into the simulator's stats). */
  readonly injected: Record<FaultKind, number> = {
    outage: 0,
    forced: 0,
    error: 0,
    rateLimit: 0,
    timeout: 0,
    reset: 0,
    conflict: 0,
  };

  constructor(
    readonly endpoints: readonly E[],
    initial: Partial<FaultConfig> = {},
    private readonly random: () => number = Math.random,
  ) {
    for (const e of endpoints) this.configs.set(e, { ...DEFAULT_FAULTS, errorStatuses: [503], ...initial });
  }

  /** Changes settings for one endpoint, or for all when `endpoint` is omitted. */
  set(patch: Partial<FaultConfig>, endpoint?: E): this {
    for (const e of endpoint === undefined ? this.endpoints : [endpoint]) {
      const current = this.config(e);
      this.configs.set(e, { ...current, ...patch });
    }
    return this;
  }

  /** Current settings of one endpoint (a copy). */
  get(endpoint: E): FaultConfig {
    return { ...this.config(endpoint) };
  }

  /** Back to defaults: no latency, no faults, no forced failures (counters are kept). */
  reset(): this {
    for (const e of this.endpoints) this.configs.set(e, { ...DEFAULT_FAULTS, errorStatuses: [503] });
    this.forced.clear();
    this.forcedConflicts = 0;
    return this;
  }

  /** Shorthand for `set({ outage: on, outageMode: mode })`. */
  outage(on: boolean, mode: FaultConfig['outageMode'] = 'status', endpoint?: E): this {
    return this.set({ outage: on, outageMode: mode }, endpoint);
  }

  /** The next `count` requests to the endpoint(s) answer `status` (e.g. 401 to test token refresh). */
  failNext(count: number, status: number, endpoint?: E): this {
    for (const e of endpoint === undefined ? this.endpoints : [endpoint]) {
      const list = this.forced.get(e) ?? [];
      list.push({ remaining: count, status });
      this.forced.set(e, list);
    }
    return this;
  }

  /** commercetools: the next `count` updateOrder calls meet a concurrent writer. */
  conflictNext(count: number): this {
    this.forcedConflicts += count;
    return this;
  }

  /** Called by a resolver about to apply an update: should this one meet a concurrent writer? */
  takeConflict(endpoint: E): boolean {
    if (this.forcedConflicts > 0) {
      this.forcedConflicts--;
      this.injected.conflict++;
      return true;
    }
    const rate = this.config(endpoint).conflictRate;
    if (rate > 0 && this.random() < rate) {
      this.injected.conflict++;
      return true;
    }
    return false;
  }

  decide(endpoint: E): FaultDecision {
    const c = this.config(endpoint);
    const delayMs = c.latencyMs + (c.jitterMs > 0 ? Math.floor(this.random() * c.jitterMs) : 0);
    if (c.outage) {
      this.injected.outage++;
      return c.outageMode === 'reset'
        ? { kind: 'reset', delayMs }
        : { kind: 'status', delayMs, status: c.outageStatus, reason: 'outage' };
    }
    const forced = this.forced.get(endpoint);
    if (forced && forced.length > 0) {
      const head = forced[0]!;
      head.remaining--;
      if (head.remaining <= 0) forced.shift();
      this.injected.forced++;
      return { kind: 'status', delayMs, status: head.status, reason: 'forced' };
    }
    if (c.timeoutRate > 0 && this.random() < c.timeoutRate) {
      this.injected.timeout++;
      return { kind: 'hold', delayMs, holdMs: c.timeoutMs };
    }
    if (c.errorRate > 0 && this.random() < c.errorRate) {
      this.injected.error++;
      const statuses = c.errorStatuses.length > 0 ? c.errorStatuses : [503];
      const status = statuses[Math.floor(this.random() * statuses.length)] ?? 503;
      return { kind: 'status', delayMs, status, reason: 'error' };
    }
    if (c.rateLimitRate > 0 && this.random() < c.rateLimitRate) {
      this.injected.rateLimit++;
      return { kind: 'status', delayMs, status: 429, reason: 'rateLimit', retryAfterSeconds: c.retryAfterSeconds };
    }
    return { kind: 'pass', delayMs };
  }

  private config(endpoint: E): FaultConfig {
    const c = this.configs.get(endpoint);
    if (!c) throw new Error(`unknown simulator endpoint '${endpoint}' (known: ${this.endpoints.join(', ')})`);
    return c;
  }
}
