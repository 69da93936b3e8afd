/**
 * The simulator's GraphQL resolvers: `order`, `orders`, `inStore { order orders }` and `updateOrder` over the
 * in-memory store, with the optimistic concurrency, store scoping and injected conflicts commercetools shows.
 * graphql-js's default resolver does the rest on the official schema. (Which stores a token may use is checked
 * before execution, in scopes.ts.)
 */
import { GraphQLError } from 'graphql';
import type { FaultController } from '../common/faults.js';
import { prepareOrdersQuery, type OrderQueryResult, type OrderSource, type OrdersQueryArgs } from './orders-query.js';
import { CtStoreError, type CommercetoolsStore, type CtOrder, type OrderKey, type OrderUpdateAction } from './store.js';
import type { CommercetoolsStats, CtEndpoint } from './server.js';

export interface ResolverContext {
  projectKey: string;
}

const ORDER_DEFAULTS = {
  customerId: null,
  customerEmail: null,
  lineItems: [],
  customLineItems: [],
  inventoryMode: 'None',
  taxMode: 'Platform',
  priceRoundingMode: 'HalfEven',
  taxRoundingMode: 'HalfEven',
  taxCalculationMode: 'LineItemLevel',
  discountCodes: [],
  directDiscounts: [],
  refusedGifts: [],
  refusedGiftsRefs: [],
  origin: 'Customer',
  itemShippingAddresses: [],
  shipping: [],
  shippingMode: 'Single',
  syncInfo: [],
  returnInfo: [],
} as const;

/**
 * Defaults live on a shared frozen prototype: the default resolver finds them, and building a view stays cheap.
 * (Fields assigned per view must not be on the prototype: frozen inherited properties cannot be shadowed.)
 */
const ORDER_PROTO: Readonly<Record<string, unknown>> = Object.freeze({ ...ORDER_DEFAULTS });

/** The stored order plus the non-null list/enum fields of the `Order` type a query might select. */
function orderView(order: CtOrder): Record<string, unknown> {
  const view = Object.assign(Object.create(ORDER_PROTO) as Record<string, unknown>, order);
  view.lastMessageSequenceNumber = order.version;
  view.storeRef = order.storeKey ? { typeId: 'store', key: order.storeKey } : null;
  return view;
}

/** Root resolvers for graphql-js `execute`, counting reads, updates and their outcomes in `stats`. */
export function createRootValue(
  store: CommercetoolsStore,
  faults: FaultController<CtEndpoint>,
  stats: CommercetoolsStats,
) {
  const findOrder = (ctx: ResolverContext, args: { id?: string | null; orderNumber?: string | null }) => {
    const key = orderKey(args);
    return store.find(key, ctx.projectKey);
  };
  const countRead = (field: string) => {
    stats.readsByField[field] = (stats.readsByField[field] ?? 0) + 1;
  };
  const listOrders = (ctx: ResolverContext, args: OrdersQueryArgs, storeKey?: string): ListResult => {
    const query = asApiError(() => prepareOrdersQuery(args));
    stats.listQueries++;
    stats.listKeys += query.keys;
    stats.listBatchSizes[query.keys] = (stats.listBatchSizes[query.keys] ?? 0) + 1;
    const source: OrderSource = {
      find: (key) => store.find(key, ctx.projectKey),
      all: () => store.allOrders(ctx.projectKey),
    };
    const result = query.run(source, storeKey);
    return { ...result, results: result.results.map(orderView) };
  };

  return {
    order: (args: { id?: string; orderNumber?: string }, ctx: ResolverContext) => {
      stats.reads++;
      countRead('order');
      const o = findOrder(ctx, args);
      return o ? orderView(o) : null;
    },
    orders: (args: OrdersQueryArgs, ctx: ResolverContext) => {
      stats.reads++;
      countRead('orders');
      return listOrders(ctx, args);
    },
    inStore: ({ key }: { key: string }, ctx: ResolverContext) => {
      stats.reads++;
      return {
        order: (args: { id?: string; orderNumber?: string }) => {
          countRead('inStore.order');
          const o = findOrder(ctx, args);
          return o && o.storeKey === key ? orderView(o) : null;
        },
        orders: (args: OrdersQueryArgs) => {
          countRead('inStore.orders');
          return listOrders(ctx, args, key);
        },
      };
    },
    updateOrder: (
      args: { version: number; actions: OrderUpdateAction[]; id?: string; orderNumber?: string; storeKey?: string },
      ctx: ResolverContext,
    ) => {
      stats.updates++;
      try {
        const key = orderKey(args);
        const existing = store.find(key, ctx.projectKey);
        if (existing && args.storeKey != null && existing.storeKey !== args.storeKey) {
          throw new CtStoreError('ResourceNotFound', `The Order with ID '${existing.id}' was not found in the store.`);
        }
        // A simulated concurrent writer lands between the client's read and this write.
        if (existing && faults.takeConflict('graphql')) store.externalWrite(key, {}, ctx.projectKey);
        const result = store.update(key, args.version, args.actions, ctx.projectKey);
        if (result.changed > 0) {
          stats.updatesApplied++;
          stats.actionsApplied += result.changed;
        }
        return orderView(result.order);
      } catch (err) {
        if (err instanceof CtStoreError) {
          if (err.code === 'ConcurrentModification') stats.conflicts++;
          if (err.code === 'ResourceNotFound') stats.notFound++;
          throw apiGraphQLError(err);
        }
        throw err;
      }
    },
  };
}

type ListResult = Omit<OrderQueryResult, 'results'> & { results: Record<string, unknown>[] };

/** A store error as the GraphQL error commercetools answers (its code in `extensions.code`). */
function apiGraphQLError(err: CtStoreError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, ...err.extra } });
}

function asApiError<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw err instanceof CtStoreError ? apiGraphQLError(err) : err;
  }
}

function orderKey(args: { id?: string | null; orderNumber?: string | null }): OrderKey {
  const hasId = typeof args.id === 'string';
  const hasNumber = typeof args.orderNumber === 'string';
  if (hasId === hasNumber) {
    throw new GraphQLError("Exactly one of 'id' or 'orderNumber' must be provided.", {
      extensions: { code: 'InvalidInput' },
    });
  }
  return hasId ? { id: args.id! } : { orderNumber: args.orderNumber! };
}
