/**
 * The order-status handler (docs/architecture.md, "The job" and "Processing semantics"): for each webhook, fetch the
 * order from Fluent *now*, apply the status rule (desired-state.ts: the current status's mapping in any direction,
 * else the webhook's own status only forward) through the cached settings, find the commercetools order and send one
 * `updateOrder` with only the changing actions. Per message: one Fluent order fetch (a second one before writing over
 * a commercetools version this process did not write, see freshness.ts), at most one commercetools read, one write;
 * the reads join those of concurrently running records in one request per vendor and tenant (docs/architecture.md,
 * "Batched reads"). A bad mapping value blocks only its own dimension: the others are written, then the record fails as CONFIGURATION.
 */
import type { ErrorCode } from '../../../common/error-codes.js';
import {
  ConfigurationError,
  errorCodeOf,
  NonRetryableError,
  RetryableError,
  type ConnectorError,
} from '../../errors.js';
import type { HandlerContext, HandlerOutcome, MessageHandler } from '../../handler.js';
import type { CommercetoolsClient, CtOrder, OrderLocator } from '../../commercetools/client.js';
import { CommercetoolsTenancy, describeTarget, type CtTarget } from '../../commercetools/credentials.js';
import type { CtOrderReads } from '../../commercetools/order-reads.js';
import { syncOrder, type SyncResult } from '../../commercetools/orders.js';
import type { OrderVersionCache } from '../../commercetools/version-cache.js';
import type { FluentClient, FluentOrder } from '../../fluent/client.js';
import { FluentOrderReads } from '../../fluent/order-reads.js';
import type { TtlCache } from '../../downstream/ttl-cache.js';
import { accountTargetFor, type AccountMapping } from './account.js';
import { statusActions, type OrderUpdateAction } from './actions.js';
import type { OrderStatusConfig } from './config.js';
import type { ExtraActionHooks } from './extension.js';
import { locateOrder, locatorKey } from './correlation.js';
import { filteredOutcome, outcomeLabel, webhookOrderFacts, type OrderFilter } from './order-filter.js';
import { desiredStates, isEmptyPlan, planStatus, type StatusEvent, type StatusPlan } from './desired-state.js';
import { FluentFreshness } from './freshness.js';
import type { DesiredStates, MappingProblem, StatusMappings } from './mapping.js';
import { DEFAULT_PROGRESSIONS, type Progressions } from './progressions.js';
import type { OrderStatusMetrics } from './metrics.js';

export const ORDER_STATUS_HANDLER_NAME = 'order-status';

/** What the handler knows per retailer from Fluent settings (cached). */
export interface RetailerSettings {
  readonly mappings: StatusMappings;
  readonly accountMappingName: string;
  readonly accountMapping: AccountMapping;
}

export interface ExtraActionsContext {
  readonly ctx: HandlerContext;
  readonly fluentOrder: FluentOrder;
  /** The commercetools order as last read (its states before this update). */
  readonly ctOrder: CtOrder;
  readonly projectKey: string;
  readonly desired: DesiredStates;
  /** The status actions the handler is about to send. */
  readonly statusActions: readonly OrderUpdateAction[];
}

/**
 * Partner hook: more actions for the same updateOrder (e.g. `setCustomField`). Called again after a conflict
 * re-read. Return [] for nothing; the handler writes only when the combined list is non-empty.
 */
export type ExtraActionsHook = (context: ExtraActionsContext) => Promise<OrderUpdateAction[]> | OrderUpdateAction[];

export interface OrderStatusHandlerDeps {
  readonly config: OrderStatusConfig;
  readonly fluent: FluentClient;
  /** Fluent order reads, coalesced across records (index.ts). Default: single reads through `fluent`. */
  readonly fluentOrders?: FluentOrderReads;
  /** commercetools order reads, coalesced across records (index.ts). Default: single reads through `commercetools`. */
  readonly ctOrders?: CtOrderReads;
  readonly commercetools: CommercetoolsClient;
  /** Keyed by retailerId. */
  readonly settings: TtlCache<RetailerSettings>;
  readonly versions?: OrderVersionCache;
  readonly metrics: OrderStatusMetrics;
  /** Partner hooks adding actions to the same updateOrder (plugins register theirs until the start). */
  readonly extraActions?: ExtraActionHooks;
  /** ORDER_TYPES / ORDER_REF_PATTERN: orders commercetools does not have are skipped as `filtered`. */
  readonly orderFilter?: OrderFilter;
  readonly close?: () => Promise<void>;
}

/** The order does not exist (yet) in Fluent or commercetools: retried while attempts remain (it may be created late). */
export class OrderNotFoundError extends RetryableError {
  static override readonly errorCode: ErrorCode = 'ORDER_NOT_FOUND';
}

/** Still no order after ORDER_NOT_FOUND_MAX_ATTEMPTS: dead-lettered with the reason. */
export class OrderNotFoundFinalError extends NonRetryableError {
  static override readonly errorCode: ErrorCode = 'ORDER_NOT_FOUND_FINAL';
}

/** The Fluent order belongs to another retailer than the webhook names: nothing is written (dead-lettered). */
export class RetailerMismatchError extends NonRetryableError {
  static override readonly errorCode: ErrorCode = 'RETAILER_MISMATCH';
}

/**
 * The webhook's retailer decides the settings and the commercetools project, so an order of another retailer (a
 * webhook naming one retailer and another's order, or a document override that does not select `retailer { id }`)
 * must never be written with them.
 */
export function assertRetailer(order: FluentOrder, retailerId: string): void {
  const actual = order.retailer?.id;
  if (actual === undefined || actual === null || String(actual) !== retailerId.trim()) {
    throw new RetailerMismatchError(
      actual === undefined || actual === null
        ? `Fluent order ${order.ref} has no retailer in the answer (the order document must select retailer { id }); nothing written`
        : `Fluent order ${order.ref} belongs to retailer ${String(actual)}, the webhook to retailer ${retailerId}; nothing written`,
      { details: { orderRetailerId: actual ?? null, webhookRetailerId: retailerId } },
    );
  }
}

const NOT_FOUND_CODES: ReadonlySet<string> = new Set<ErrorCode>(['ORDER_NOT_FOUND', 'ORDER_NOT_FOUND_FINAL']);

/** Which Fluent order a webhook is about: the entity itself, else its root entity. */
export function fluentOrderReference(payload: HandlerContext['payload']): { id?: string; ref?: string } | undefined {
  const pick = (id: unknown, ref: unknown) => {
    const out: { id?: string; ref?: string } = {};
    if (typeof id === 'string' && id.trim()) out.id = id.trim();
    if (typeof ref === 'string' && ref.trim()) out.ref = ref.trim();
    return out.id || out.ref ? out : undefined;
  };
  if (String(payload.entityType).toUpperCase() === 'ORDER') return pick(payload.entityId, payload.entityRef);
  if (String(payload.rootEntityType ?? '').toUpperCase() === 'ORDER') {
    return pick(payload.rootEntityId, payload.rootEntityRef);
  }
  return undefined;
}

/** The statuses the rule reads: Fluent's current one, and the webhook's own when it is about the order itself. */
export function statusEventOf(payload: HandlerContext['payload'], fluentOrder: FluentOrder): StatusEvent {
  const entityStatus = typeof payload.entityStatus === 'string' ? payload.entityStatus.trim() : '';
  return String(payload.entityType).toUpperCase() === 'ORDER' && entityStatus
    ? { currentStatus: fluentOrder.status, entityStatus }
    : { currentStatus: fluentOrder.status };
}

/** Invalid mapping values (setting, key, valid values): not retriable, dead-lettered for a replay after the fix. */
function mappingError(problems: readonly MappingProblem[], applied: readonly OrderUpdateAction[]): ConfigurationError {
  const written = applied.length ? applied.map((a) => Object.keys(a)[0]).join(', ') : 'nothing';
  return new ConfigurationError(
    `${problems.map((p) => p.message).join('; ')} (other dimensions written: ${written}; replay this record after fixing the setting)`,
    {
      details: {
        problems: problems.map(({ setting, key, validValues }) => ({ setting, key, validValues })),
        applied,
      },
    },
  );
}

/** The record's Fluent order as last fetched, and the status plan it gives; fetched again when freshness asks. */
class FluentView {
  plan: StatusPlan;

  constructor(
    public order: FluentOrder,
    private readonly fetch: () => Promise<FluentOrder>,
    private readonly mappings: StatusMappings,
    private readonly payload: HandlerContext['payload'],
  ) {
    this.plan = planStatus(mappings, statusEventOf(payload, order));
  }

  async refetch(): Promise<void> {
    this.order = await this.fetch();
    this.plan = planStatus(this.mappings, statusEventOf(this.payload, this.order));
  }
}

/** A missing order: retried while attempts remain (it may be created late), then final (dead-lettered). */
function notFoundError(ctx: HandlerContext, what: string, maxAttempts: number): ConnectorError {
  const details = { attempt: ctx.attempt, maxAttempts };
  return ctx.attempt < maxAttempts
    ? new OrderNotFoundError(`${what} not found (attempt ${ctx.attempt} of ${maxAttempts}; will retry)`, { details })
    : new OrderNotFoundFinalError(`${what} not found after ${ctx.attempt} attempts`, { details });
}

/** What writing a record's states needs of the handler: its dependencies and their defaults. */
interface WriteParts {
  readonly deps: OrderStatusHandlerDeps;
  readonly progressions: Progressions;
  readonly ctOrders: CtOrderReads | undefined;
}

/** The partner hooks in force: plugins register theirs until the processor starts, after the handler is built. */
function hooksInForce(deps: OrderStatusHandlerDeps): ExtraActionHooks | undefined {
  return deps.extraActions?.size ? deps.extraActions : undefined;
}

/** Brings the commercetools order to the states `fluent` plans (orders.ts), re-fetching Fluent when freshness asks. */
function writeStates(
  parts: WriteParts,
  ctx: HandlerContext,
  fluent: FluentView,
  target: CtTarget,
  locator: OrderLocator,
): Promise<SyncResult> {
  const { deps, progressions, ctOrders } = parts;
  const extraActions = hooksInForce(deps);
  const { config, metrics } = deps;
  const { projectKey } = target;
  const cacheKey = locatorKey(projectKey, locator);
  const freshness = new FluentFreshness(deps.versions?.get(cacheKey)?.version);
  let desired: DesiredStates = {};
  const statusActionsFor = (ctOrder: CtOrder) => {
    desired = desiredStates(fluent.plan, progressions, ctOrder);
    return statusActions(desired, ctOrder);
  };
  return syncOrder({
    client: deps.commercetools,
    read: ctOrders ? (where, which, call) => ctOrders.find(where, which, call) : undefined,
    target,
    locator,
    cacheKey,
    cache: deps.versions,
    conflictRetries: config.conflictRetries,
    signal: ctx.signal,
    correlationId: ctx.record.id,
    onConflict: (attempt, currentVersion) => {
      metrics.conflict();
      ctx.logger.debug({ attempt, currentVersion, projectKey }, 'commercetools conflict; re-reading the order');
    },
    // The other writer may have been another instance applying a newer Fluent status (e.g. during a rebalance):
    // recompute from what Fluent reports now — fetched after the re-read (freshness.ts), never before it.
    refreshDesired: () => {
      freshness.conflict();
      return Promise.resolve();
    },
    actionsFor: async (ctOrder) => {
      let actions = statusActionsFor(ctOrder);
      if (freshness.mustRefetch(ctOrder.version, actions.length > 0 || extraActions !== undefined)) {
        await fluent.refetch();
        freshness.refetched(ctOrder.version);
        actions = statusActionsFor(ctOrder);
      }
      if (!extraActions) return actions;
      const extra = await extraActions.actionsFor({
        ctx,
        fluentOrder: fluent.order,
        ctOrder,
        projectKey,
        desired,
        statusActions: actions,
      });
      return [...actions, ...extra];
    },
  });
}

export function createHandler(deps: OrderStatusHandlerDeps): MessageHandler {
  const { config, metrics } = deps;
  const tenancy = new CommercetoolsTenancy(config.commercetools);
  const progressions = config.progressions ?? DEFAULT_PROGRESSIONS;
  const fluentOrders = deps.fluentOrders ?? new FluentOrderReads({ client: deps.fluent, tenant: 'fluent' });
  const { ctOrders } = deps;
  const parts: WriteParts = { deps, progressions, ctOrders };

  const notFound = (ctx: HandlerContext, what: string) => notFoundError(ctx, what, config.orderNotFoundMaxAttempts);

  async function handle(ctx: HandlerContext): Promise<HandlerOutcome> {
    const { payload, signal } = ctx;
    const reference = fluentOrderReference(payload);
    if (!reference) {
      return { status: 'skipped', detail: `entity ${payload.entityType} is not an order and has no order root` };
    }
    // Filtered on what the webhook tells first (no Fluent call), then on the Fluent order (no commercetools call).
    const excludedByWebhook = deps.orderFilter?.exclusion(webhookOrderFacts(payload));
    if (excludedByWebhook) return filteredOutcome(excludedByWebhook);
    const fetchFluentOrder = async () => {
      const order = await fluentOrders.order(reference, payload.retailerId, { signal, correlationId: ctx.record.id });
      if (!order) throw notFound(ctx, `Fluent order ${reference.id ?? reference.ref}`);
      assertRetailer(order, payload.retailerId);
      return order;
    };
    // The order and the settings are independent: fetch them together (settings are nearly always cached).
    const [firstFetch, settings] = await Promise.all([fetchFluentOrder(), deps.settings.get(payload.retailerId)]);
    const excludedByOrder = deps.orderFilter?.exclusion(firstFetch);
    if (excludedByOrder) return filteredOutcome(excludedByOrder);
    const fluent = new FluentView(firstFetch, fetchFluentOrder, settings.mappings, payload);
    if (isEmptyPlan(fluent.plan) && !hooksInForce(deps)) {
      if (fluent.plan.problems.length > 0) throw mappingError(fluent.plan.problems, []);
      return { status: 'skipped', detail: `Fluent status ${fluent.order.status} is not mapped` };
    }
    const account = accountTargetFor(
      settings.accountMappingName,
      settings.accountMapping,
      payload.accountId,
      fluent.order.retailer?.id ?? payload.retailerId,
      config.commercetools.projectKey,
    );
    // Credentials per project (credentials.ts); a project without any is this retailer's configuration error.
    const target = tenancy.target(account.projectKey, account.storeKey);
    const locator = locateOrder(config.correlation, fluent.order);
    const result = await writeStates(parts, ctx, fluent, target, locator);
    const where = `commercetools order ${locator.by}=${locator.value} (${describeTarget(target)})`;
    if (result.kind === 'not-found') throw notFound(ctx, where);
    // The valid dimensions are written; the record still fails so that a replay after the fix completes it.
    const { problems } = fluent.plan;
    if (problems.length > 0) throw mappingError(problems, result.kind === 'applied' ? result.actions : []);
    if (result.kind === 'unchanged') {
      return { status: 'skipped', detail: `${where} already matches Fluent status ${fluent.order.status}` };
    }
    ctx.logger.debug(
      {
        projectKey: target.projectKey,
        orderId: result.order.id,
        fluentStatus: fluent.order.status,
        actions: result.actions,
        conflicts: result.conflicts,
      },
      'order states updated',
    );
    return {
      status: 'applied',
      detail: `${where}: ${result.actions.map((a) => Object.keys(a)[0]).join(', ')} for Fluent status ${fluent.order.status}`,
    };
  }

  return {
    name: ORDER_STATUS_HANDLER_NAME,
    async handle(ctx) {
      try {
        const outcome = await handle(ctx);
        metrics.outcome(outcomeLabel(outcome));
        return outcome;
      } catch (error) {
        metrics.outcome(NOT_FOUND_CODES.has(errorCodeOf(error)) ? 'not_found' : 'error');
        throw error;
      }
    },
    async close() {
      await deps.close?.();
    },
  };
}
