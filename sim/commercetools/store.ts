/**
 * In-memory commercetools order store, one namespace per project key, with optimistic concurrency like the real API
 * and a per-order history of every state change so tests can assert that an order never regressed.
 */
import { randomUUID } from 'node:crypto';

export const ORDER_STATES = ['Open', 'Confirmed', 'Complete', 'Cancelled'] as const;
export const PAYMENT_STATES = ['BalanceDue', 'Failed', 'Pending', 'CreditOwed', 'Paid'] as const;
export const SHIPMENT_STATES = [
  'Shipped',
  'Delivered',
  'Ready',
  'Pending',
  'Delayed',
  'Partial',
  'Backorder',
  'Canceled',
] as const;

export type OrderState = (typeof ORDER_STATES)[number];
export type PaymentState = (typeof PAYMENT_STATES)[number];
export type ShipmentState = (typeof SHIPMENT_STATES)[number];

export interface OrderStates {
  orderState: OrderState;
  paymentState: PaymentState | null;
  shipmentState: ShipmentState | null;
}

/** A stored order; field names follow the GraphQL `Order` type so the default resolver can read them. */
export interface CtOrder extends OrderStates {
  id: string;
  version: number;
  orderNumber: string | null;
  createdAt: string;
  lastModifiedAt: string;
  /** Store key when the order belongs to a store (for `inStore(key) { order }`). */
  storeKey: string | null;
  totalPrice: { type: 'centPrecision'; currencyCode: string; centAmount: number; fractionDigits: number };
}

export type HistorySource = 'create' | 'update' | 'external';

export interface HistoryEntry extends OrderStates {
  version: number;
  at: string;
  source: HistorySource;
  /** Update actions that produced this entry (GraphQL input shape), empty for create/external writes. */
  actions: OrderUpdateAction[];
}

export interface OrderDraft {
  orderNumber?: string | null;
  /** Default a random UUID. */
  id?: string;
  /** Default 'Open'. */
  orderState?: OrderState;
  /** Default null (no payment state), like a fresh commercetools order. */
  paymentState?: PaymentState | null;
  /** Default null. */
  shipmentState?: ShipmentState | null;
  /** Default 1. */
  version?: number;
  storeKey?: string | null;
  /** Default 10 000 cents EUR. */
  totalCentAmount?: number;
  currencyCode?: string;
}

/** One element of `actions: [OrderUpdateAction!]!` (exactly one key set). */
export type OrderUpdateAction = Record<string, Record<string, unknown> | null | undefined>;

export type OrderKey = { id: string } | { orderNumber: string };

/** Stable error codes mirroring the commercetools API. */
export type CtErrorCode = 'ConcurrentModification' | 'ResourceNotFound' | 'InvalidOperation' | 'InvalidInput';

export class CtStoreError extends Error {
  constructor(
    readonly code: CtErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CtStoreError';
  }
}

/** Supported actions; others fail with InvalidOperation so a connector change is noticed, not silently ignored. */
const SUPPORTED_ACTIONS = {
  changeOrderState: { field: 'orderState', values: ORDER_STATES as readonly string[] },
  changePaymentState: { field: 'paymentState', values: PAYMENT_STATES as readonly string[] },
  changeShipmentState: { field: 'shipmentState', values: SHIPMENT_STATES as readonly string[] },
} as const;

interface Project {
  byId: Map<string, CtOrder>;
  byNumber: Map<string, CtOrder>;
  history: Map<string, HistoryEntry[]>;
}

export interface UpdateResult {
  order: CtOrder;
  /** Actions that changed a state (others were no-ops). */
  changed: number;
}

export class CommercetoolsStore {
  private readonly projects = new Map<string, Project>();

  constructor(
    /** Project used when a method is called without one. Default 'my-project'. */
    readonly defaultProjectKey = 'my-project',
    private readonly now: () => Date = () => new Date(),
  ) {}

  createOrder(draft: OrderDraft, projectKey = this.defaultProjectKey): CtOrder {
    const p = this.project(projectKey);
    const id = draft.id ?? randomUUID();
    if (p.byId.has(id)) throw new CtStoreError('InvalidInput', `An order with id '${id}' already exists.`);
    const orderNumber = draft.orderNumber ?? null;
    if (orderNumber !== null && p.byNumber.has(orderNumber)) {
      throw new CtStoreError('InvalidInput', `An order with orderNumber '${orderNumber}' already exists.`);
    }
    const at = this.now().toISOString();
    const order: CtOrder = {
      id,
      version: draft.version ?? 1,
      orderNumber,
      orderState: draft.orderState ?? 'Open',
      paymentState: draft.paymentState ?? null,
      shipmentState: draft.shipmentState ?? null,
      createdAt: at,
      lastModifiedAt: at,
      storeKey: draft.storeKey ?? null,
      totalPrice: {
        type: 'centPrecision',
        currencyCode: draft.currencyCode ?? 'EUR',
        centAmount: draft.totalCentAmount ?? 10_000,
        fractionDigits: 2,
      },
    };
    p.byId.set(id, order);
    if (orderNumber !== null) p.byNumber.set(orderNumber, order);
    p.history.set(id, [this.entry(order, 'create', [])]);
    return { ...order };
  }

  /** A copy of the order, or undefined. */
  getOrder(key: OrderKey, projectKey = this.defaultProjectKey): CtOrder | undefined {
    const o = this.find(key, projectKey);
    return o ? { ...o } : undefined;
  }

  getByNumber(orderNumber: string, projectKey = this.defaultProjectKey): CtOrder | undefined {
    return this.getOrder({ orderNumber }, projectKey);
  }

  getById(id: string, projectKey = this.defaultProjectKey): CtOrder | undefined {
    return this.getOrder({ id }, projectKey);
  }

  /** All orders of a project (copies). */
  listOrders(projectKey = this.defaultProjectKey): CtOrder[] {
    return [...this.project(projectKey).byId.values()].map((o) => ({ ...o }));
  }

  /** Every state change of the order, oldest first (create, updates, simulated external writes). */
  history(key: OrderKey, projectKey = this.defaultProjectKey): HistoryEntry[] {
    const o = this.find(key, projectKey);
    if (!o) return [];
    return (this.project(projectKey).history.get(o.id) ?? []).map((h) => ({ ...h, actions: [...h.actions] }));
  }

  /**
   * Applies update actions like `updateOrder`: checks the version, applies every action, bumps the version once
   * when at least one action changed the order (a request whose actions all are no-ops leaves the version alone).
   * Validation happens before anything is applied, so a failing request changes nothing.
   */
  update(
    key: OrderKey,
    version: number,
    actions: OrderUpdateAction[],
    projectKey = this.defaultProjectKey,
  ): UpdateResult {
    const order = this.find(key, projectKey);
    if (!order) throw notFound(key);
    if (order.version !== version) {
      throw new CtStoreError(
        'ConcurrentModification',
        `Object ${order.id} has a different version than expected. Expected: ${version} - Actual: ${order.version}.`,
        { currentVersion: order.version },
      );
    }
    if (actions.length === 0) throw new CtStoreError('InvalidInput', 'At least one update action is required.');
    const changes: Array<[keyof OrderStates, string]> = [];
    for (const action of actions) {
      const keys = Object.keys(action).filter((k) => action[k] !== undefined && action[k] !== null);
      if (keys.length !== 1) {
        throw new CtStoreError(
          'InvalidInput',
          `Each OrderUpdateAction must set exactly one action, got ${keys.length} (${keys.join(', ') || 'none'}).`,
        );
      }
      const name = keys[0]!;
      const spec = SUPPORTED_ACTIONS[name as keyof typeof SUPPORTED_ACTIONS];
      if (!spec) {
        throw new CtStoreError(
          'InvalidOperation',
          `Update action '${name}' is not supported by the commercetools simulator ` +
            `(supported: ${Object.keys(SUPPORTED_ACTIONS).join(', ')}).`,
        );
      }
      const value = action[name]![spec.field];
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new CtStoreError('InvalidInput', `Invalid ${spec.field} '${String(value)}'.`);
      }
      changes.push([spec.field, value]);
    }
    let changed = 0;
    for (const [field, value] of changes) {
      if (order[field] !== value) {
        (order as unknown as Record<string, unknown>)[field] = value;
        changed++;
      }
    }
    if (changed > 0) {
      order.version++;
      order.lastModifiedAt = this.now().toISOString();
      this.project(projectKey)
        .history.get(order.id)
        ?.push(this.entry(order, 'update', actions));
    }
    return { order: { ...order }, changed };
  }

  /**
   * Simulates another writer (a merchant tool, another integration): bumps the version, optionally changing states.
   * Returns the new version.
   */
  externalWrite(key: OrderKey, states: Partial<OrderStates> = {}, projectKey = this.defaultProjectKey): number {
    const order = this.find(key, projectKey);
    if (!order) throw notFound(key);
    Object.assign(order, states);
    order.version++;
    order.lastModifiedAt = this.now().toISOString();
    this.project(projectKey)
      .history.get(order.id)
      ?.push(this.entry(order, 'external', []));
    return order.version;
  }

  /** Drops all orders of all projects. */
  clear(): void {
    this.projects.clear();
  }

  /** The project's live stored orders, uncopied (list queries read them; tests should use listOrders). */
  allOrders(projectKey = this.defaultProjectKey): Iterable<CtOrder> {
    return this.projects.get(projectKey)?.byId.values() ?? [];
  }

  /** The live stored object (resolvers read it; tests should use getOrder). */
  find(key: OrderKey, projectKey = this.defaultProjectKey): CtOrder | undefined {
    const p = this.projects.get(projectKey);
    if (!p) return undefined;
    return 'id' in key ? p.byId.get(key.id) : p.byNumber.get(key.orderNumber);
  }

  private project(key: string): Project {
    let p = this.projects.get(key);
    if (!p) {
      p = { byId: new Map(), byNumber: new Map(), history: new Map() };
      this.projects.set(key, p);
    }
    return p;
  }

  private entry(order: CtOrder, source: HistorySource, actions: OrderUpdateAction[]): HistoryEntry {
    return {
      version: order.version,
      at: order.lastModifiedAt,
      source,
      actions,
      orderState: order.orderState,
      paymentState: order.paymentState,
      shipmentState: order.shipmentState,
    };
  }
}

function notFound(key: OrderKey): CtStoreError {
  return 'id' in key
    ? new CtStoreError('ResourceNotFound', `The Order with ID '${key.id}' was not found.`)
    : new CtStoreError('ResourceNotFound', `The Order with orderNumber '${key.orderNumber}' was not found.`);
}
