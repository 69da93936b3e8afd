/**
 * The order-status handler's commercetools order reads (docs/architecture.md, "Batched reads"): reads of concurrently
 * running records for one tenant (project, store and API client: credentials.ts `tenantKeyOf`) and one lookup field
 * become one `orders(where: "<field> in (…)")` query (downstream/read-coalescer.ts). Each record gets the order whose
 * field equals its value, or its own not-found. Batches never mix tenants, so no record sees another tenant's order.
 */
import type { CallOptions } from '../downstream/graphql.js';
import { ReadCoalescer, soleCorrelationId, tenantKey } from '../downstream/read-coalescer.js';
import type { CtOrder, OrderLocator } from './client.js';
import { tenantKeyOf, type CtTarget } from './credentials.js';

/** Where batched reads are sent (CommercetoolsClient). */
export interface OrderListSource {
  /** The orders of `target` whose `by` field is one of `values` (at most 500). */
  findOrders(
    target: CtTarget,
    by: OrderLocator['by'],
    values: readonly string[],
    call?: CallOptions,
  ): Promise<CtOrder[]>;
  /** One order: the read without batching. */
  findOrder(target: CtTarget, locator: OrderLocator, call?: CallOptions): Promise<CtOrder | null>;
}

export interface CtOrderReadsOptions {
  readonly source: OrderListSource;
  /** Undefined = every read is a single request (DOWNSTREAM_BATCH_READS=false). */
  readonly batch?: { readonly windowMs: number; readonly maxSize: number };
  readonly onBatch?: (size: number) => void;
}

/** A batch's tenant: the target, and the field its values are matched on (one predicate per request). */
interface BatchTenant {
  readonly target: CtTarget;
  readonly by: OrderLocator['by'];
}

export class CtOrderReads {
  private readonly coalescer: ReadCoalescer<string, CtOrder> | undefined;
  /** Tenant string → what it stands for; bounded by projects × stores × 2 fields. */
  private readonly tenants = new Map<string, BatchTenant>();

  constructor(private readonly options: CtOrderReadsOptions) {
    const { batch, source } = options;
    this.coalescer = batch
      ? new ReadCoalescer<string, CtOrder>({
          name: 'commercetools orders(where)',
          windowMs: batch.windowMs,
          maxBatchSize: batch.maxSize,
          loadBatch: async (tenant, values, signal, context) => {
            const { target, by } = this.tenants.get(tenant)!;
            const call = { signal, correlationId: soleCorrelationId(context) };
            const orders = await source.findOrders(target, by, values, call);
            return new Map(orders.flatMap((order) => (order[by] ? [[String(order[by]), order]] : [])));
          },
          onBatch: (_tenant, size) => options.onBatch?.(size),
        })
      : undefined;
  }

  /** The order `locator` finds in `target`; null when commercetools has none. */
  find(target: CtTarget, locator: OrderLocator, call: CallOptions = {}): Promise<CtOrder | null> {
    if (!this.coalescer) return this.options.source.findOrder(target, locator, call);
    const tenant = tenantKey(tenantKeyOf(target), locator.by);
    if (!this.tenants.has(tenant)) this.tenants.set(tenant, { target, by: locator.by });
    return this.coalescer.load(tenant, locator.value, call.signal, call.correlationId);
  }
}
