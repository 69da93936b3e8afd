/**
 * Status mappings (pure). Fluent settings hold many-to-one maps `{"fluent": {"<FLUENT_STATUS>": "<ct value>"}}`
 * (docs/architecture.md, "Fluent"). Values are matched case-insensitively against the commercetools enums and normalised to their
 * PascalCase spelling (the documented example uses `paid`). Problems are kept, not thrown, when a setting is parsed:
 * they surface as a ConfigurationError only for the message whose status hits them, so one typo does not stop every
 * other status from syncing. A status missing from a mapping leaves that dimension alone.
 */
import { ConfigurationError } from '../../errors.js';

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

export type Dimension = 'orderState' | 'paymentState' | 'shipmentState';

export const DIMENSION_VALUES: { readonly [D in Dimension]: readonly string[] } = {
  orderState: ORDER_STATES,
  paymentState: PAYMENT_STATES,
  shipmentState: SHIPMENT_STATES,
};

/** Desired commercetools states; an absent dimension is left alone. */
export interface DesiredStates {
  orderState?: OrderState;
  paymentState?: PaymentState;
  shipmentState?: ShipmentState;
}

/** Setting names for a connector (prefix `fc.connect.<connectorName>`). */
export function settingNames(connectorName: string) {
  const prefix = `fc.connect.${connectorName}`;
  return {
    orderState: `${prefix}.order.order-status-mapping`,
    paymentState: `${prefix}.order.payment-status-mapping`,
    shipmentState: `${prefix}.order.shipping-status-mapping`,
    accountMapping: `${prefix}.account-mapping`,
  } as const;
}

/** Normalises a mapping value to the enum member it names (case, spaces, `_`/`-` ignored), or undefined. */
export function normaliseEnumValue(dimension: Dimension, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const wanted = value.replace(/[\s_-]/g, '').toLowerCase();
  return DIMENSION_VALUES[dimension].find((member) => member.toLowerCase() === wanted);
}

export interface StatusMapping {
  readonly settingName: string;
  readonly dimension: Dimension;
  /** False when the setting does not exist (the dimension is never changed). */
  readonly present: boolean;
  /**
   * The normalised value for a Fluent status, or undefined when the status is not mapped.
   * @throws ConfigurationError when the setting is malformed or the status maps to a value that is no enum member
   */
  resolve(fluentStatus: string): string | undefined;
}

type Entry = { value: string } | { problem: string };

/**
 * Parses one mapping setting's JSON value. `json` undefined = the setting does not exist.
 * Keys are Fluent statuses (matched case-insensitively; a key may list several statuses separated by commas).
 */
export function parseStatusMapping(settingName: string, dimension: Dimension, json: unknown): StatusMapping {
  const valid = DIMENSION_VALUES[dimension].join(', ');
  if (json === undefined || json === null) {
    return { settingName, dimension, present: false, resolve: () => undefined };
  }
  const map =
    typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)['fluent'] : undefined;
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    const problem = `setting ${settingName} must be a JSON object {"fluent": {"<FLUENT_STATUS>": "<value>"}}; got ${describe(json)}`;
    return {
      settingName,
      dimension,
      present: true,
      resolve: () => {
        throw new ConfigurationError(problem, { details: { setting: settingName } });
      },
    };
  }
  const entries = new Map<string, Entry>();
  for (const [rawKey, rawValue] of Object.entries(map as Record<string, unknown>)) {
    const normalised = normaliseEnumValue(dimension, rawValue);
    const entry: Entry =
      normalised !== undefined
        ? { value: normalised }
        : {
            problem: `setting ${settingName}: key "${rawKey}" maps to ${describe(rawValue)}, which is not a valid ${dimensionLabel(dimension)}; valid values: ${valid}`,
          };
    for (const status of rawKey.split(',')) {
      const key = status.trim().toUpperCase();
      if (key) entries.set(key, entry);
    }
  }
  return {
    settingName,
    dimension,
    present: true,
    resolve(fluentStatus: string) {
      const entry = entries.get(fluentStatus.trim().toUpperCase());
      if (!entry) return undefined;
      if ('problem' in entry) {
        throw new ConfigurationError(entry.problem, {
          details: { setting: settingName, key: fluentStatus, validValues: DIMENSION_VALUES[dimension] },
        });
      }
      return entry.value;
    },
  };
}

export interface StatusMappings {
  readonly orderState: StatusMapping;
  readonly paymentState: StatusMapping;
  readonly shipmentState: StatusMapping;
}

/** The desired commercetools states for a Fluent order status. Throws ConfigurationError (see StatusMapping). */
export function desiredStatesFor(mappings: StatusMappings, fluentStatus: string): DesiredStates {
  const desired: DesiredStates = {};
  const order = mappings.orderState.resolve(fluentStatus);
  const payment = mappings.paymentState.resolve(fluentStatus);
  const shipment = mappings.shipmentState.resolve(fluentStatus);
  if (order !== undefined) desired.orderState = order as OrderState;
  if (payment !== undefined) desired.paymentState = payment as PaymentState;
  if (shipment !== undefined) desired.shipmentState = shipment as ShipmentState;
  return desired;
}

function dimensionLabel(dimension: Dimension): string {
  return { orderState: 'OrderState', paymentState: 'PaymentState', shipmentState: 'ShipmentState' }[dimension];
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
