/**
 * What both simulators hand to a test: the store to seed and inspect, the fault controller, counters that reset
 * between phases, token control, the credentials to wire a connector with, and close().
 */
import type { FaultController, FaultKind } from './faults.js';
import type { RequestLog } from './http.js';
import type { AuthControl } from './tokens.js';

/** Counters both simulators keep for their token endpoint and GraphQL intake. */
export interface EndpointCounters {
  tokenRequests: number;
  tokensIssued: number;
  tokenFailures: number;
  graphqlRequests: number;
  /** GraphQL requests rejected with 401 (no, invalid, expired or revoked token). */
  unauthorized: number;
  /** Requests rejected before execution (bad JSON, syntax, schema validation; commercetools: variable coercion). */
  invalidRequests: number;
}

function zeroEndpointCounters(): EndpointCounters {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    tokenFailures: 0,
    graphqlRequests: 0,
    unauthorized: 0,
    invalidRequests: 0,
  };
}

/** A simulator's own counters, plus the faults it injected by kind and a reset of both. */
export type SimulatorStats<S, E extends string> = S & {
  /** Live view of the fault controller's counters. */
  readonly faults: FaultController<E>['injected'];
  reset(): void;
};

export interface Simulator<E extends string, Store, Stats, Credentials> {
  readonly store: Store;
  readonly faults: FaultController<E>;
  readonly stats: SimulatorStats<Stats, E>;
  readonly auth: AuthControl;
  /** The credentials a connector is wired with (commercetools: the first configured client). */
  readonly credentials: Credentials;
  /** The last requests received (method, path, headers). */
  readonly requests: RequestLog;
  close(): Promise<void>;
}

/** The shared endpoint counters and a simulator's own (fresh from `zero`), the live fault counts, and a reset of all. */
export function simulatorStats<S extends object, E extends string>(
  faults: FaultController<E>,
  zero: () => S,
): SimulatorStats<EndpointCounters & S, E> {
  const stats = {
    ...zeroEndpointCounters(),
    ...zero(),
    faults: faults.injected,
    reset() {
      Object.assign(stats, zeroEndpointCounters(), zero());
      for (const kind of Object.keys(faults.injected) as FaultKind[]) faults.injected[kind] = 0;
    },
  };
  return stats;
}
