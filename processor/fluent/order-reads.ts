/**
 * The order-status handler's Fluent order reads (docs/architecture.md, "Batched reads"): the reads of concurrently
 * running records are coalesced into one `orders(ref: [...])` query (downstream/read-coalescer.ts); each record then
 * takes its own retailer's order from the answer. Refs are unique per retailer only, so an answer may hold several
 * orders for one ref; a record never gets another retailer's order from a batch. Where the batch cannot decide (no
 * order of this retailer, or another order id than the webhook names) the record falls back to its own single read,
 * whose answer keeps today's meaning (not found, or the retailer mismatch that dead-letters the record).
 */
import type { CallOptions } from '../downstream/graphql.js';
import { ReadCoalescer, soleCorrelationId } from '../downstream/read-coalescer.js';
import type { FluentClient, FluentOrder } from './client.js';

/** Which order a webhook is about: its id and/or ref (at least one). */
export interface FluentOrderReference {
  readonly id?: string;
  readonly ref?: string;
}

export interface FluentOrderReadsOptions {
  readonly client: FluentClient;
  /** Undefined = every read is a single request (DOWNSTREAM_BATCH_READS=false). */
  readonly batch?: { readonly windowMs: number; readonly maxSize: number };
  /** Tenant of the batches: the Fluent account the client is signed in to (one per process today). */
  readonly tenant: string;
  readonly onBatch?: (size: number) => void;
}

export class FluentOrderReads {
  private readonly coalescer: ReadCoalescer<string, FluentOrder[]> | undefined;

  constructor(private readonly options: FluentOrderReadsOptions) {
    const { batch, client } = options;
    this.coalescer = batch
      ? new ReadCoalescer<string, FluentOrder[]>({
          name: 'fluent orders(ref)',
          windowMs: batch.windowMs,
          maxBatchSize: batch.maxSize,
          loadBatch: async (_tenant, refs, signal, batch) =>
            byRef(await client.ordersByRefs(refs, { signal, correlationId: soleCorrelationId(batch) })),
          onBatch: (_tenant, size) => options.onBatch?.(size),
        })
      : undefined;
  }

  /** The order `reference` names, as `retailerId` should see it; null when Fluent has none. */
  async order(
    reference: FluentOrderReference,
    retailerId: string,
    call: CallOptions = {},
  ): Promise<FluentOrder | null> {
    if (!this.coalescer || reference.ref === undefined) return this.single(reference, call);
    const sameRef = await this.coalescer.load(this.options.tenant, reference.ref, call.signal, call.correlationId);
    if (!sameRef || sameRef.length === 0) return null;
    const candidates = sameRef.filter(
      (order) =>
        String(order.retailer?.id ?? '') === retailerId.trim() &&
        (reference.id === undefined || String(order.id) === reference.id),
    );
    return candidates.length === 1 ? candidates[0]! : this.single(reference, call);
  }

  /** One request for one order: by id when the webhook names it, else by ref. */
  single(reference: FluentOrderReference, call: CallOptions = {}): Promise<FluentOrder | null> {
    const { client } = this.options;
    return reference.id !== undefined ? client.orderById(reference.id, call) : client.orderByRef(reference.ref!, call);
  }
}

function byRef(orders: readonly FluentOrder[]): Map<string, FluentOrder[]> {
  const grouped = new Map<string, FluentOrder[]>();
  for (const order of orders) {
    const list = grouped.get(order.ref);
    if (list) list.push(order);
    else grouped.set(order.ref, [order]);
  }
  return grouped;
}
