/**
 * Status mappings (pure). Fluent settings hold many-to-one maps `{"fluent": {"<FLUENT_STATUS>": "<ct value>"}}`
 * (docs/architecture.md, "Fluent"). Values are matched case-insensitively against the commercetools enums and
 * normalised to their PascalCase spelling (the documented example uses `paid`). Problems are kept as data, not thrown,
 * when a setting is parsed: a lookup that hits one reports it, so one typo blocks only its own dimension and only for
 * the statuses it affects (desired-state.ts decides what to do with it). A status missing from a mapping leaves that
 * dimension alone.
 */
import { ORDER_STATES, PAYMENT_STATES, SHIPMENT_STATES } from '../../commercetools/model.js';
import type { OrderState, PaymentState, ShipmentState } from '../../commercetools/model.js';

// The commercetools enums, typed from the platform SDK (commercetools/model.ts).
export { ORDER_STATES, PAYMENT_STATES, SHIPMENT_STATES, type OrderState, type PaymentState, type ShipmentState };

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

/**
 * Spellings accepted for an enum member besides its own: commercetools spells ShipmentState `Canceled` but
 * OrderState `Cancelled`, and settings written by hand mix them up.
 */
const ALIASES: { readonly [D in Dimension]: Readonly<Record<string, string>> } = {
  orderState: { canceled: 'Cancelled' },
  paymentState: {},
  shipmentState: { cancelled: 'Canceled' },
};

/** Normalises a mapping value to the enum member it names (case, spaces, `_`/`-` ignored), or undefined. */
export function normaliseEnumValue(dimension: Dimension, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const wanted = value.replace(/[\s_-]/g, '').toLowerCase();
  return DIMENSION_VALUES[dimension].find((member) => member.toLowerCase() === wanted) ?? ALIASES[dimension][wanted];
}

/** A mapping value that is no enum member (or a malformed setting): what an operator needs to fix it. */
export interface MappingProblem {
  readonly setting: string;
  /** The Fluent status looked up. */
  readonly key: string;
  readonly validValues: readonly string[];
  readonly message: string;
}

/** What a mapping says for one Fluent status. */
export type MappingLookup =
  | { readonly kind: 'unmapped' }
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'invalid'; readonly problem: MappingProblem };

const UNMAPPED: MappingLookup = { kind: 'unmapped' };

export interface StatusMapping {
  readonly settingName: string;
  readonly dimension: Dimension;
  /** False when the setting does not exist (the dimension is never changed). */
  readonly present: boolean;
  /** The normalised value for a Fluent status, `unmapped`, or `invalid` (malformed setting or no enum member). */
  lookup(fluentStatus: string): MappingLookup;
}

type Entry = { value: string } | { problem: string };

/**
 * Parses one mapping setting's JSON value. `json` undefined = the setting does not exist.
 * Keys are Fluent statuses (matched case-insensitively; a key may list several statuses separated by commas).
 */
export function parseStatusMapping(settingName: string, dimension: Dimension, json: unknown): StatusMapping {
  const validValues = DIMENSION_VALUES[dimension];
  const valid = validValues.join(', ');
  const invalid = (key: string, message: string): MappingLookup => ({
    kind: 'invalid',
    problem: { setting: settingName, key, validValues, message },
  });
  if (json === undefined || json === null) {
    return { settingName, dimension, present: false, lookup: () => UNMAPPED };
  }
  const map =
    typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)['fluent'] : undefined;
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    const problem = `setting ${settingName} must be a JSON object {"fluent": {"<FLUENT_STATUS>": "<value>"}}; got ${describe(json)}`;
    return {
      settingName,
      dimension,
      present: true,
      lookup: (fluentStatus) => invalid(fluentStatus, problem),
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
    lookup(fluentStatus: string) {
      const entry = entries.get(fluentStatus.trim().toUpperCase());
      if (!entry) return UNMAPPED;
      return 'problem' in entry ? invalid(fluentStatus, entry.problem) : { kind: 'value', value: entry.value };
    },
  };
}

export interface StatusMappings {
  readonly orderState: StatusMapping;
  readonly paymentState: StatusMapping;
  readonly shipmentState: StatusMapping;
}

function dimensionLabel(dimension: Dimension): string {
  return { orderState: 'OrderState', paymentState: 'PaymentState', shipmentState: 'ShipmentState' }[dimension];
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
