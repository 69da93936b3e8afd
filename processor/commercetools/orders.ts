/**
 * Bring one commercetools order to the desired states with optimistic concurrency (docs/architecture.md, "commercetools" and "Processing semantics"):
 * compute the changing actions against the order's current state, send one updateOrder, and on
 * ConcurrentModification re-read and recompute (bounded), then give up with a RetryableError for the retry tiers.
 * After a conflict the caller also refreshes what it wants (`refreshDesired`): the other writer may have been another
 * instance of this connector applying a newer status, which an older desired state must not overwrite.
 */
import type { CallOptions } from '../downstream/graphql.js';
import { RetryableError } from '../errors.js';
import type { CommercetoolsClient, CtOrder, OrderLocator, OrderTarget } from './client.js';
import { describeTarget, type CtTarget } from './credentials.js';
import type { OrderVersionCache } from './version-cache.js';

export type ActionsFor = (order: CtOrder) => Promise<Record<string, unknown>[]> | Record<string, unknown>[];

export type SyncResult =
  | {
      readonly kind: 'applied';
      readonly order: CtOrder;
      readonly actions: readonly Record<string, unknown>[];
      readonly conflicts: number;
    }
  | { readonly kind: 'unchanged'; readonly order: CtOrder; readonly conflicts: number }
  | { readonly kind: 'not-found'; readonly conflicts: number };

export interface SyncOrderOptions {
  readonly client: CommercetoolsClient;
  /** The project (and store) the order is in, with the credentials reaching it (credentials.ts). */
  readonly target: CtTarget;
  readonly locator: OrderLocator;
  /** Cache key for the locator (see correlation.locatorKey). */
  readonly cacheKey: string;
  readonly cache?: OrderVersionCache;
  /** The actions to send for an order in its current state (may be empty). */
  readonly actionsFor: ActionsFor;
  /** In-place re-read/retry rounds after a conflict. Default 3. */
  readonly conflictRetries?: number;
  readonly signal?: AbortSignal;
  /** Sent as X-Correlation-ID on every call: the webhook's event id. */
  readonly correlationId?: string;
  readonly onConflict?: (attempt: number, currentVersion: number | undefined) => void;
  /** Called after every conflict, before the re-read (the handler re-fetches the Fluent order). */
  readonly refreshDesired?: () => Promise<void>;
  /**
   * Reads the order before a write or to confirm nothing changes: the batched read (order-reads.ts). Default
   * `client.findOrder`. A re-read after a conflict always goes to `client.findOrder` at once, without a batch window.
   */
  readonly read?: (target: CtTarget, locator: OrderLocator, call: CallOptions) => Promise<CtOrder | null>;
}

export async function syncOrder(options: SyncOrderOptions): Promise<SyncResult> {
  const { client, target, locator, cache, cacheKey } = options;
  const call = { signal: options.signal, correlationId: options.correlationId };
  const maxConflicts = options.conflictRetries ?? 3;
  let conflicts = 0;
  let fromCache = true;
  let afterConflict = false;
  let order: CtOrder | null | undefined = cache?.get(cacheKey);
  for (;;) {
    if (!order) {
      fromCache = false;
      order =
        afterConflict || !options.read
          ? await client.findOrder(target, locator, call)
          : await options.read(target, locator, call);
      if (!order) {
        cache?.delete(cacheKey);
        return { kind: 'not-found', conflicts };
      }
    }
    const actions = await options.actionsFor(order);
    if (actions.length === 0) {
      if (fromCache) {
        // Confirm "nothing to change" against the real order, never against our memory of it.
        order = undefined;
        continue;
      }
      cache?.set(cacheKey, order);
      return { kind: 'unchanged', order, conflicts };
    }
    const result = await client.updateOrder(target, addressOf(order, locator), actions, call);
    if (result.kind === 'updated') {
      const updated = mergeUpdated(order, result.order);
      if (updated) cache?.set(cacheKey, updated);
      else cache?.delete(cacheKey);
      return { kind: 'applied', order: updated ?? order, actions, conflicts };
    }
    cache?.delete(cacheKey);
    if (result.kind === 'not-found') {
      if (fromCache) {
        order = undefined;
        continue;
      }
      return { kind: 'not-found', conflicts };
    }
    // Conflict: someone (another writer, or our stale cache) changed the order; re-read and recompute — against a
    // fresh desired state too, since that writer may have applied a newer status than the one we hold.
    await options.refreshDesired?.();
    afterConflict = true;
    if (fromCache) {
      // A stale cache entry is expected after other writers; it does not count against the bound.
      order = undefined;
      continue;
    }
    conflicts++;
    options.onConflict?.(conflicts, result.currentVersion);
    if (conflicts > maxConflicts) {
      throw new RetryableError(
        `commercetools updateOrder: ConcurrentModification persisted after ${maxConflicts} re-reads (order ${order.id}, ${describeTarget(target)}): ${result.message}`,
        { details: { code: 'ConcurrentModification', orderId: order.id, projectKey: target.projectKey } },
      );
    }
    order = undefined;
  }
}

/** The write's address: the order's number as read, else the one it was found by (a read may not select it). */
function addressOf(order: CtOrder, locator: OrderLocator): OrderTarget {
  const orderNumber = order.orderNumber ?? (locator.by === 'orderNumber' ? locator.value : undefined);
  return { id: order.id, version: order.version, orderNumber };
}

/**
 * The order after our write, when the mutation selected everything the read did (version, states and any field a
 * replaced order query adds). A field only the read had is not known at the new version, so nothing is cached then.
 */
function mergeUpdated(before: CtOrder, after: Partial<CtOrder> & { id: string }): CtOrder | undefined {
  if (typeof after.version !== 'number' || typeof after.orderState !== 'string') return undefined;
  if (!('paymentState' in after) || !('shipmentState' in after)) return undefined;
  if (Object.keys(before).some((field) => !(field in after))) return undefined;
  return after as CtOrder;
}
