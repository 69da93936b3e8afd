/**
 * The fixed progressions along which a status Fluent has already left may still move a commercetools order forward
 * (pure; docs/architecture.md, "Processing semantics"). Each dimension's progression lists enum members from first to
 * last; "unset" (no value yet) comes before all of them, and a member that is not listed is exceptional (never reached
 * or left by history). `ORDER_STATE_PROGRESSIONS` replaces any of the defaults (docs/configuration.md).
 */
import { DIMENSION_VALUES, normaliseEnumValue, type Dimension } from './mapping.js';

export type Progressions = { readonly [D in Dimension]: readonly string[] };

export const DEFAULT_PROGRESSIONS: Progressions = Object.freeze({
  orderState: Object.freeze(['Open', 'Confirmed', 'Complete']),
  paymentState: Object.freeze(['Pending', 'Paid']),
  shipmentState: Object.freeze(['Pending', 'Ready', 'Partial', 'Shipped', 'Delivered']),
});

/** Names a dimension may be given in the variable (short and long). */
const DIMENSION_NAMES: Readonly<Record<string, Dimension>> = {
  order: 'orderState',
  orderstate: 'orderState',
  payment: 'paymentState',
  paymentstate: 'paymentState',
  shipment: 'shipmentState',
  shipmentstate: 'shipmentState',
};

export const PROGRESSIONS_SYNTAX = 'order=Open<Confirmed<Complete; payment=Pending<Paid; shipment=Pending<…';

/**
 * Parses `ORDER_STATE_PROGRESSIONS`: `;`-separated `<dimension>=<value>[<<value>…]` (dimension `order`, `payment` or
 * `shipment`); dimensions not named keep their default, an empty list (`payment=`) turns forward moves off for that
 * dimension. Every value must be a member of the dimension's enum, listed once.
 */
export function parseProgressions(text: string): { progressions: Progressions } | { problems: string[] } {
  const result: { -readonly [D in Dimension]: readonly string[] } = { ...DEFAULT_PROGRESSIONS };
  const problems: string[] = [];
  const seen = new Set<Dimension>();
  for (const part of text.split(';').map((p) => p.trim())) {
    if (!part) continue;
    const equals = part.indexOf('=');
    const dimension = DIMENSION_NAMES[part.slice(0, Math.max(equals, 0)).trim().toLowerCase()];
    if (equals < 0 || !dimension) {
      problems.push(`"${part}" is not <order|payment|shipment>=<value><<value>…; e.g. ${PROGRESSIONS_SYNTAX}`);
      continue;
    }
    if (seen.has(dimension)) problems.push(`${dimension} is given twice`);
    seen.add(dimension);
    const parsed = parseProgression(dimension, part.slice(equals + 1));
    if ('problem' in parsed) problems.push(parsed.problem);
    else result[dimension] = parsed.values;
  }
  return problems.length ? { problems } : { progressions: Object.freeze(result) };
}

function parseProgression(dimension: Dimension, list: string): { values: string[] } | { problem: string } {
  const raw = list
    .split('<')
    .map((v) => v.trim())
    .filter(Boolean);
  const values: string[] = [];
  for (const value of raw) {
    const member = normaliseEnumValue(dimension, value);
    if (member === undefined) {
      return {
        problem: `${dimension}: "${value}" is no member; valid values: ${DIMENSION_VALUES[dimension].join(', ')}`,
      };
    }
    if (values.includes(member)) return { problem: `${dimension}: ${member} is listed twice` };
    values.push(member);
  }
  return { values };
}

/**
 * True when `to` comes after `from` along the progression and neither is exceptional (not listed). An unset `from`
 * (null/undefined) is before every listed value.
 */
export function movesForward(progression: readonly string[], from: string | null | undefined, to: string): boolean {
  const target = progression.indexOf(to);
  if (target < 0) return false;
  if (from === null || from === undefined) return true;
  const origin = progression.indexOf(from);
  return origin >= 0 && target > origin;
}

/** The progressions as the variable writes them (start-up log, docs). */
export function describeProgressions(progressions: Progressions): string {
  const short: Record<Dimension, string> = { orderState: 'order', paymentState: 'payment', shipmentState: 'shipment' };
  return (Object.keys(short) as Dimension[]).map((d) => `${short[d]}=${progressions[d].join('<')}`).join('; ');
}
