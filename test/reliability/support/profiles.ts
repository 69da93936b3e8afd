/**
 * Reliability profiles. `short` (default) runs in `npm test` on a loaded 2-core machine in a few minutes;
 * `long` (`RELIABILITY_PROFILE=long`, `npm run test:reliability`) runs more orders over a longer chaos schedule.
 */

export interface ChaosProfile {
  readonly name: 'short' | 'long';
  readonly orders: number;
  /** Time over which the webhook stream is spread; the chaos schedule runs inside it. */
  readonly trafficMs: number;
  /** Times (ms from the start of traffic) at which the processor is SIGKILLed and restarted. */
  readonly processorKillsAt: readonly number[];
  /** The private broker is stopped at this time and restarted once it is down (plus `brokerDownMs`). */
  readonly brokerStopAt: number;
  readonly brokerDownMs: number;
  /** Times at which the ingress is restarted with SIGTERM. */
  readonly ingressRestartsAt: readonly number[];
  /** Latency spikes: [at, duration ms, added latency ms]. */
  readonly latencySpikes: readonly (readonly [number, number, number])[];
  /** 5xx bursts on commercetools GraphQL: [at, duration ms, error rate]. */
  readonly errorBursts: readonly (readonly [number, number, number])[];
  /** How long to wait for convergence after the last webhook. */
  readonly convergeMs: number;
}

const SHORT: ChaosProfile = {
  name: 'short',
  orders: 80,
  trafficMs: 60_000,
  processorKillsAt: [6_000, 20_000, 50_000],
  brokerStopAt: 28_000,
  brokerDownMs: 3_000,
  ingressRestartsAt: [42_000],
  latencySpikes: [[12_000, 4_000, 800]],
  errorBursts: [[45_000, 4_000, 0.6]],
  convergeMs: 120_000,
};

const LONG: ChaosProfile = {
  name: 'long',
  orders: 500,
  trafficMs: 300_000,
  processorKillsAt: [10_000, 45_000, 90_000, 150_000, 210_000, 270_000],
  brokerStopAt: 120_000,
  brokerDownMs: 10_000,
  ingressRestartsAt: [60_000, 240_000],
  latencySpikes: [
    [30_000, 8_000, 800],
    [180_000, 10_000, 1_200],
  ],
  errorBursts: [
    [75_000, 8_000, 0.3],
    [200_000, 6_000, 0.5],
  ],
  convergeMs: 240_000,
};

export function chaosProfile(env: NodeJS.ProcessEnv = process.env): ChaosProfile {
  const name = (env.RELIABILITY_PROFILE ?? 'short').trim().toLowerCase();
  if (name === 'long') return LONG;
  if (name === '' || name === 'short') return SHORT;
  throw new Error(`RELIABILITY_PROFILE must be short or long, got ${env.RELIABILITY_PROFILE}`);
}

/** The failover run on the replicated cluster (test/reliability/failover.test.ts). */
export interface FailoverProfile {
  readonly name: 'short' | 'long';
  readonly orders: number;
  readonly trafficMs: number;
  /** The target broker (leader of most partitions, or the controller) is SIGKILLed at this time... */
  readonly brokerKillAt: number;
  /** ...and started again this long after. */
  readonly brokerDownMs: number;
  /** The schema registry is SIGKILLed at this time and started again `registryDownMs` later. */
  readonly registryKillAt: number;
  readonly registryDownMs: number;
  /** The processor is SIGKILLed and restarted at this time (inside the registry outage: a cold schema cache). */
  readonly processorKillAt: number;
  readonly convergeMs: number;
}

const FAILOVER_SHORT: FailoverProfile = {
  name: 'short',
  orders: 60,
  trafficMs: 60_000,
  brokerKillAt: 12_000,
  brokerDownMs: 15_000,
  registryKillAt: 34_000,
  registryDownMs: 8_000,
  processorKillAt: 36_000,
  convergeMs: 120_000,
};

const FAILOVER_LONG: FailoverProfile = {
  name: 'long',
  orders: 300,
  trafficMs: 180_000,
  brokerKillAt: 30_000,
  brokerDownMs: 45_000,
  registryKillAt: 110_000,
  registryDownMs: 20_000,
  processorKillAt: 115_000,
  convergeMs: 240_000,
};

export function failoverProfile(env: NodeJS.ProcessEnv = process.env): FailoverProfile {
  return chaosProfile(env).name === 'long' ? FAILOVER_LONG : FAILOVER_SHORT;
}
