/**
 * In-memory Fluent data: orders (by id, and by ref — unique per retailer, as in Fluent, so one ref may name several
 * orders) and settings keyed by (name, context, contextId), plus a helper that seeds the example mapping settings
 * documented in docs/architecture.md, "Fluent".
 */

export interface FluentAttribute {
  name: string;
  type: string;
  value: unknown;
}

/** A stored order; field names follow the GraphQL `Order` type so the default resolver can read them. */
export interface FluentOrder {
  id: string;
  ref: string;
  type: string;
  status: string;
  createdOn: string;
  updatedOn: string;
  retailer: { id: string; ref: string | null } | null;
  attributes: FluentAttribute[];
}

export interface OrderInput {
  /** Numeric-looking id like Fluent's; default the next free number. */
  id?: string;
  ref: string;
  /** Default 'CREATED'. */
  status?: string;
  /** Default 'HD'. */
  type?: string;
  /**
   * Default: the matched order's retailer, else '1'. A ref is unique per retailer: the same ref with another retailer
   * is another order.
   */
  retailerId?: string | null;
  attributes?: FluentAttribute[];
}

export interface FluentSetting {
  id: string;
  name: string;
  valueType: string;
  value: string | null;
  lobValue: unknown;
  context: string;
  contextId: number;
  createdOn: string;
  updatedOn: string;
}

export interface SettingInput {
  name: string;
  /** 'ACCOUNT' | 'RETAILER' | ...; default 'ACCOUNT'. */
  context?: string;
  /** Default 0 (ACCOUNT); the retailer id for RETAILER. */
  contextId?: number;
  /** The JSON value (objects/arrays) or a plain string. */
  value: unknown;
  /** Default 'JSON' for objects/arrays, 'STRING' otherwise. */
  valueType?: string;
  /**
   * Old-style setting: the JSON is stored as a string in `value` and `lobValue` is null. Default false (JSON in
   * `lobValue`, `value` null).
   */
  legacy?: boolean;
}

export interface SettingsQuery {
  name?: readonly (string | null)[] | null;
  context?: readonly (string | null)[] | null;
  contextId?: readonly (number | null)[] | null;
  first?: number | null;
}

/**
 * An order by id, or by ref. Refs are unique per retailer only: with `retailerId` the key names that retailer's order;
 * without it, the first order stored under the ref (the only one unless several retailers share it).
 */
export type FluentOrderKey = { id: string } | { ref: string; retailerId?: string | null };

export type MappingSetting = keyof ReturnType<typeof mappingSettingNames>;

export interface MappingSeedOptions {
  /** Default 'commercetools' (settings prefix `fc.connect.<connectorName>`). */
  connectorName?: string;
  /** A connector name per setting, overriding `connectorName` (e.g. DOCUMENTED_SPELLING). */
  connectorNames?: Partial<Record<MappingSetting, string>>;
  /** Default 'ACCOUNT'. */
  context?: string;
  /** Default 0. */
  contextId?: number;
  /** Account mapping values. Defaults 'ACME', '1', 'my-project' (docs/architecture.md, "Fluent"). */
  accountId?: string;
  retailerId?: string;
  projectKey?: string;
  /** Store JSON as a string in `value` (old settings). Default false. */
  legacy?: boolean;
}

/** The example mappings (docs/architecture.md, "Fluent"), many-to-one under "fluent". */
export const EXAMPLE_ORDER_STATUS_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  RECEIVED: 'Open',
  PENDING_PAYMENT: 'Open',
  ESCALATED: 'Open',
  BOOKED: 'Confirmed',
  PICK_PACK: 'Confirmed',
  PICK_PACK_CC: 'Confirmed',
  AWAITING_COURIER_COLLECTION: 'Confirmed',
  AWAITING_CUSTOMER_COLLECTION: 'Confirmed',
  COMPLETE: 'Complete',
  CANCELLED: 'Cancelled',
});
export const EXAMPLE_PAYMENT_STATUS_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  RECEIVED: 'pending',
  PENDING_PAYMENT: 'pending',
  BOOKED: 'paid',
});
export const EXAMPLE_SHIPPING_STATUS_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  RECEIVED: 'Pending',
  BOOKED: 'Pending',
  PICK_PACK: 'Pending',
  AWAITING_COURIER_COLLECTION: 'Shipped',
  COMPLETE: 'Shipped',
});

/**
 * How Fluent's seed documentation spells the settings: the order mapping `fc.connect.commercetools.…`, the payment and
 * shipping mappings `fc.connect.commerce-tools.…` (docs/architecture.md, "Fluent").
 */
export const DOCUMENTED_SPELLING: Readonly<Record<MappingSetting, string>> = Object.freeze({
  orderStatus: 'commercetools',
  paymentStatus: 'commerce-tools',
  shippingStatus: 'commerce-tools',
  account: 'commercetools',
});

/** Setting names for a connector name, e.g. `fc.connect.commercetools.order.order-status-mapping`. */
export function mappingSettingNames(connectorName = 'commercetools') {
  const prefix = `fc.connect.${connectorName}`;
  return {
    orderStatus: `${prefix}.order.order-status-mapping`,
    paymentStatus: `${prefix}.order.payment-status-mapping`,
    shippingStatus: `${prefix}.order.shipping-status-mapping`,
    account: `${prefix}.account-mapping`,
  };
}

export class FluentStore {
  private readonly ordersById = new Map<string, FluentOrder>();
  /** Orders sharing a ref (one per retailer), oldest first. */
  private readonly ordersByRef = new Map<string, FluentOrder[]>();
  private readonly settings = new Map<string, FluentSetting>();
  private nextOrderId = 1000;
  private nextSettingId = 1;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /**
   * Creates or replaces an order, matched by id, else by ref within `retailerId` (without `retailerId`: the ref's
   * only order; ambiguous when several retailers share the ref). Returns a copy.
   */
  upsertOrder(input: OrderInput): FluentOrder {
    const existing =
      (input.id ? this.ordersById.get(input.id) : undefined) ?? this.matchByRef(input.ref, input.retailerId);
    const at = this.now().toISOString();
    const id = input.id ?? existing?.id ?? this.newOrderId();
    const retailerId = input.retailerId === undefined ? (existing?.retailer?.id ?? '1') : input.retailerId;
    const holder = this.refHolder(input.ref, retailerId);
    if (holder && holder !== existing) {
      throw new Error(`Fluent simulator: ref ${input.ref} already names order ${holder.id} of retailer ${retailerId}`);
    }
    const order: FluentOrder = {
      id,
      ref: input.ref,
      type: input.type ?? existing?.type ?? 'HD',
      status: input.status ?? existing?.status ?? 'CREATED',
      createdOn: existing?.createdOn ?? at,
      updatedOn: at,
      retailer: retailerId === null ? null : { id: retailerId, ref: null },
      attributes: input.attributes ?? existing?.attributes ?? [],
    };
    this.index(order, existing);
    return copyOrder(order);
  }

  /** Changes an order's status (what Fluent's workflow does before it sends a webhook). Returns a copy. */
  setOrderStatus(key: FluentOrderKey, status: string): FluentOrder {
    const order = this.find(key);
    if (!order) throw new Error(`Fluent simulator: no order ${JSON.stringify(key)}`);
    order.status = status;
    order.updatedOn = this.now().toISOString();
    return copyOrder(order);
  }

  getOrder(key: FluentOrderKey): FluentOrder | undefined {
    const o = this.find(key);
    return o ? copyOrder(o) : undefined;
  }

  listOrders(): FluentOrder[] {
    return [...this.ordersById.values()].map(copyOrder);
  }

  /** The live stored orders, uncopied (the `orders` search reads them; tests should use listOrders). */
  allOrders(): Iterable<FluentOrder> {
    return this.ordersById.values();
  }

  /**
   * The live stored orders having one of `refs` (every retailer's), each once: what a batched `orders(ref: [...])`
   * can match, found through the ref index instead of a scan of every order.
   */
  ordersWithRefs(refs: Iterable<string>): FluentOrder[] {
    return [...new Set(refs)].flatMap((ref) => this.ordersByRef.get(ref) ?? []);
  }

  removeOrder(key: FluentOrderKey): boolean {
    const o = this.find(key);
    if (!o) return false;
    this.unindex(o);
    return true;
  }

  /** The live stored object (resolvers read it; tests should use getOrder). */
  find(key: FluentOrderKey): FluentOrder | undefined {
    if ('id' in key) return this.ordersById.get(key.id);
    return key.retailerId === undefined ? this.ordersByRef.get(key.ref)?.[0] : this.refHolder(key.ref, key.retailerId);
  }

  /** Creates or replaces the setting (name, context, contextId). Returns a copy. */
  setSetting(input: SettingInput): FluentSetting {
    const context = input.context ?? 'ACCOUNT';
    const contextId = input.contextId ?? 0;
    const k = settingKey(input.name, context, contextId);
    const existing = this.settings.get(k);
    const structured = typeof input.value === 'object' && input.value !== null;
    const valueType = input.valueType ?? (structured ? 'JSON' : 'STRING');
    const at = this.now().toISOString();
    let value: string | null;
    let lobValue: unknown;
    if (!structured) {
      value = scalarText(input.value);
      lobValue = null;
    } else if (input.legacy) {
      value = JSON.stringify(input.value);
      lobValue = null;
    } else {
      value = null;
      lobValue = structuredClone(input.value);
    }
    const setting: FluentSetting = {
      id: existing?.id ?? String(this.nextSettingId++),
      name: input.name,
      valueType,
      value,
      lobValue,
      context,
      contextId,
      createdOn: existing?.createdOn ?? at,
      updatedOn: at,
    };
    this.settings.set(k, setting);
    return { ...setting };
  }

  removeSetting(name: string, context = 'ACCOUNT', contextId = 0): boolean {
    return this.settings.delete(settingKey(name, context, contextId));
  }

  getSetting(name: string, context = 'ACCOUNT', contextId = 0): FluentSetting | undefined {
    const s = this.settings.get(settingKey(name, context, contextId));
    return s ? { ...s } : undefined;
  }

  /**
   * Filters like Fluent's `settings` query: each given list restricts the result (any of its values); names may
   * use `%` as a wildcard. Ordered by id.
   */
  querySettings(q: SettingsQuery): FluentSetting[] {
    const names = compact(q.name)?.map(namePattern);
    const contexts = compact(q.context);
    const ids = compact(q.contextId);
    const out: FluentSetting[] = [];
    for (const s of this.settings.values()) {
      if (names && !names.some((n) => (typeof n === 'string' ? n === s.name : n.test(s.name)))) continue;
      if (contexts && !contexts.includes(s.context)) continue;
      if (ids && !ids.includes(s.contextId)) continue;
      out.push(s);
    }
    out.sort((a, b) => Number(a.id) - Number(b.id));
    return q.first != null && q.first >= 0 ? out.slice(0, q.first) : out;
  }

  /** Seeds the four example settings (docs/architecture.md, "Fluent") for a connector name. Returns their names. */
  seedExampleMappings(options: MappingSeedOptions = {}): ReturnType<typeof mappingSettingNames> {
    const nameOf = (setting: MappingSetting) =>
      mappingSettingNames(options.connectorNames?.[setting] ?? options.connectorName)[setting];
    const names = {
      orderStatus: nameOf('orderStatus'),
      paymentStatus: nameOf('paymentStatus'),
      shippingStatus: nameOf('shippingStatus'),
      account: nameOf('account'),
    };
    const common = { context: options.context ?? 'ACCOUNT', contextId: options.contextId ?? 0, legacy: options.legacy };
    this.setSetting({ ...common, name: names.orderStatus, value: { fluent: { ...EXAMPLE_ORDER_STATUS_MAPPING } } });
    this.setSetting({ ...common, name: names.paymentStatus, value: { fluent: { ...EXAMPLE_PAYMENT_STATUS_MAPPING } } });
    this.setSetting({
      ...common,
      name: names.shippingStatus,
      value: { fluent: { ...EXAMPLE_SHIPPING_STATUS_MAPPING } },
    });
    this.setSetting({
      ...common,
      name: names.account,
      value: {
        fluent: { accountId: options.accountId ?? 'ACME', retailerId: options.retailerId ?? '1' },
        externalAccount: { projectKey: options.projectKey ?? 'my-project' },
      },
    });
    return names;
  }

  clear(): void {
    this.ordersById.clear();
    this.ordersByRef.clear();
    this.settings.clear();
  }

  /** The order `upsertOrder` replaces when no id matched (see there). */
  private matchByRef(ref: string, retailerId: string | null | undefined): FluentOrder | undefined {
    if (retailerId !== undefined) return this.refHolder(ref, retailerId);
    const sharing = this.ordersByRef.get(ref) ?? [];
    if (sharing.length > 1) {
      throw new Error(`Fluent simulator: ref ${ref} names orders of several retailers; pass retailerId`);
    }
    return sharing[0];
  }

  private refHolder(ref: string, retailerId: string | null): FluentOrder | undefined {
    return this.ordersByRef.get(ref)?.find((o) => (o.retailer?.id ?? null) === retailerId);
  }

  /** Stores `order` in place of `replaced` (keeping its place among the ref's orders when the ref is unchanged). */
  private index(order: FluentOrder, replaced: FluentOrder | undefined): void {
    const sharing = this.ordersByRef.get(order.ref) ?? [];
    const at = replaced ? sharing.indexOf(replaced) : -1;
    if (replaced) this.unindex(replaced);
    this.ordersById.set(order.id, order);
    const rest = this.ordersByRef.get(order.ref) ?? [];
    this.ordersByRef.set(order.ref, at < 0 ? [...rest, order] : [...rest.slice(0, at), order, ...rest.slice(at)]);
  }

  private unindex(order: FluentOrder): void {
    this.ordersById.delete(order.id);
    const rest = (this.ordersByRef.get(order.ref) ?? []).filter((o) => o !== order);
    if (rest.length > 0) this.ordersByRef.set(order.ref, rest);
    else this.ordersByRef.delete(order.ref);
  }

  private newOrderId(): string {
    while (this.ordersById.has(String(this.nextOrderId))) this.nextOrderId++;
    return String(this.nextOrderId++);
  }
}

function settingKey(name: string, context: string, contextId: number): string {
  return `${context}\u0000${contextId}\u0000${name}`;
}

function compact<T>(list: readonly (T | null)[] | null | undefined): T[] | undefined {
  if (list == null) return undefined;
  return list.filter((v): v is T => v !== null);
}

function namePattern(name: string): string | RegExp {
  if (!name.includes('%')) return name;
  const escaped = name.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

function copyOrder(o: FluentOrder): FluentOrder {
  return {
    ...o,
    retailer: o.retailer ? { ...o.retailer } : null,
    attributes: o.attributes.map((a) => ({ ...a })),
  };
}

/** A plain (non-JSON) setting value as stored in `value`: its text, or null when absent. */
function scalarText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? null;
}
