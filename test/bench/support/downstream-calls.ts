/**
 * Downstream calls of one benchmark case, counted by the simulators (the source of truth: every HTTP request that
 * reached them) and split by what the processor asked for, plus the batch sizes of batched reads
 * (docs/architecture.md "Batched reads"). The processor's own `fc_downstream_calls_total` is kept beside it as a
 * cross-check.
 */
import type { CommercetoolsStats } from '../../../sim/commercetools/index.js';
import type { FluentStats } from '../../../sim/fluent/index.js';

/** Orders asked for by the batched reads of one vendor: requests with a key list, and keys summed over them. */
export interface BatchVolume {
  readonly requests: number;
  readonly orders: number;
}

export interface DownstreamCalls {
  /** Token + GraphQL requests both simulators received. */
  readonly requests: number;
  /** GraphQL requests per simulator (what `fc_downstream_calls_total` counts too). */
  readonly fluentGraphql: number;
  readonly ctGraphql: number;
  /** Fluent order reads: `orderById`, `order(ref:)` and batched `orders(ref: [...])` requests (every page counts). */
  readonly fluentReads: number;
  /** commercetools order reads: `order`, `orders(where:)`, through `inStore` or not. */
  readonly ctReads: number;
  /** `updateOrder` requests. */
  readonly ctWrites: number;
  /** Token requests of both vendors and Fluent settings queries: cached, so not per record. */
  readonly tokensAndSettings: number;
  /** Requests in none of the groups above (rejected before execution, 401s): 0 in a clean run. */
  readonly other: number;
  readonly fluentBatches: BatchVolume;
  readonly ctBatches: BatchVolume;
  /** The processor's `fc_downstream_calls_total` summed per service (token requests are not in it). */
  readonly processorCounted?: ProcessorCountedCalls;
}

export interface ProcessorCountedCalls {
  readonly fluent: number;
  readonly commercetools: number;
}

type FluentCounters = Pick<
  FluentStats,
  'tokenRequests' | 'graphqlRequests' | 'byRootField' | 'listQueries' | 'listKeys' | 'listBatchSizes'
>;
type CtCounters = Pick<
  CommercetoolsStats,
  'tokenRequests' | 'graphqlRequests' | 'reads' | 'updates' | 'listQueries' | 'listKeys' | 'listBatchSizes'
>;

/** Requests that asked for at least one key: a list query without a key list is a search, not a batch. */
function batchVolume(stats: { listQueries: number; listKeys: number; listBatchSizes: Record<string, number> }) {
  return { requests: stats.listQueries - (stats.listBatchSizes['0'] ?? 0), orders: stats.listKeys };
}

export function countDownstreamCalls(fluent: FluentCounters, ct: CtCounters): DownstreamCalls {
  const field = (name: string) => fluent.byRootField[name] ?? 0;
  const requests = fluent.tokenRequests + fluent.graphqlRequests + ct.tokenRequests + ct.graphqlRequests;
  const fluentReads = field('orderById') + field('order') + field('orders');
  const tokensAndSettings = fluent.tokenRequests + ct.tokenRequests + field('settings');
  return {
    requests,
    fluentGraphql: fluent.graphqlRequests,
    ctGraphql: ct.graphqlRequests,
    fluentReads,
    ctReads: ct.reads,
    ctWrites: ct.updates,
    tokensAndSettings,
    other: requests - fluentReads - ct.reads - ct.updates - tokensAndSettings,
    fluentBatches: batchVolume(fluent),
    ctBatches: batchVolume(ct),
  };
}

/** Mean orders per batched request; NaN when nothing was batched (printed as "-"). */
export function meanBatchSize(volume: BatchVolume): number {
  return volume.requests > 0 ? volume.orders / volume.requests : NaN;
}

/** Sums `fc_downstream_calls_total` per service from prom-client's JSON form (what the bench child sends). */
export function sumCallsByService(
  metrics: readonly { name: string; values: readonly { value: number; labels: Record<string, unknown> }[] }[],
): ProcessorCountedCalls {
  const calls = metrics.find((m) => m.name === 'fc_downstream_calls_total');
  const sum = (service: string) =>
    (calls?.values ?? []).filter((v) => v.labels.service === service).reduce((total, v) => total + v.value, 0);
  return { fluent: sum('fluent'), commercetools: sum('commercetools') };
}

/**
 * Where the processor's own count disagrees with the simulators' GraphQL requests (tokens left out: the metric does not
 * count them); empty when they agree. In-place retries would make the simulators count more (none in a clean run).
 */
export function crossCheckProblems(calls: DownstreamCalls): readonly string[] {
  const counted = calls.processorCounted;
  if (!counted) return ['the processor did not report fc_downstream_calls_total'];
  const problems: string[] = [];
  if (counted.fluent !== calls.fluentGraphql)
    problems.push(`Fluent: processor counted ${counted.fluent}, simulator received ${calls.fluentGraphql}`);
  if (counted.commercetools !== calls.ctGraphql)
    problems.push(`commercetools: processor counted ${counted.commercetools}, simulator received ${calls.ctGraphql}`);
  return problems;
}
