/**
 * Correlation (pure): which commercetools order a Fluent order is (docs/architecture.md, "commercetools"). Default:
 * the commercetools `orderNumber` equals the Fluent `ref`; alternatives: the commercetools `id` equals the ref, the ref
 * minus one of several prefixes (e.g. `HD_`, `CC_`) or a pattern's one capture group is the value, or a named Fluent
 * order attribute holds it. For the last two the value is the orderNumber, or the id with target `id`.
 */
import { NonRetryableError } from '../../errors.js';
import type { CorrelationConfig } from './config.js';

export type OrderLocator = { readonly by: 'orderNumber' | 'id'; readonly value: string };

export interface FluentOrderLike {
  readonly ref: string;
  readonly attributes?: ReadonlyArray<{ readonly name: string; readonly value?: unknown }> | null;
}

export function locateOrder(config: CorrelationConfig, order: FluentOrderLike): OrderLocator {
  switch (config.strategy) {
    case 'orderNumber':
      return { by: 'orderNumber', value: order.ref };
    case 'id':
      return { by: 'id', value: order.ref };
    case 'strip-prefix': {
      const value = strippedRef(config, order.ref);
      if (!value) {
        throw new NonRetryableError(`Fluent order ref "${order.ref}" leaves nothing once its prefix is removed`, {
          details: { orderRef: order.ref },
        });
      }
      return { by: config.target ?? 'orderNumber', value };
    }
    case 'attribute': {
      const name = config.attribute ?? '';
      const attribute = order.attributes?.find((a) => a.name === name);
      const value = attribute?.value;
      const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
      if (!text) {
        throw new NonRetryableError(
          `Fluent order ${order.ref} has no usable attribute "${name}" (ORDER_CORRELATION=attribute) to find the commercetools order`,
          { details: { orderRef: order.ref, attribute: name } },
        );
      }
      return { by: config.target ?? 'orderNumber', value: text };
    }
  }
}

/**
 * The ref without its prefix: the pattern's capture group, else the longest configured prefix that starts the ref.
 * A ref that does not match is used as it is: installations often mix prefixed and plain refs.
 */
function strippedRef(config: CorrelationConfig, ref: string): string {
  if (config.pattern) {
    const match = config.pattern.exec(ref);
    return match ? (match.slice(1).find((group) => group !== undefined) ?? '') : ref;
  }
  const prefixes = config.prefixes ?? (config.prefix ? [config.prefix] : []);
  const longest = prefixes.filter((p) => p && ref.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  return longest ? ref.slice(longest.length) : ref;
}

/** Stable string for caches and logs. */
export function locatorKey(projectKey: string, locator: OrderLocator): string {
  return `${projectKey}\u0000${locator.by}\u0000${locator.value}`;
}
