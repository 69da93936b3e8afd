/**
 * Correlation (pure): which commercetools order a Fluent order is (docs/architecture.md, "commercetools"). Default: the commercetools
 * `orderNumber` equals the Fluent `ref`; alternatives: the commercetools `id` equals the ref, the ref minus a prefix
 * (e.g. `HD_`) is the orderNumber, or a named Fluent order attribute holds the orderNumber.
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
      const prefix = config.prefix ?? '';
      // A ref without the prefix is used as it is: installs often mix prefixed and plain refs.
      const value = prefix && order.ref.startsWith(prefix) ? order.ref.slice(prefix.length) : order.ref;
      if (!value) throw new NonRetryableError(`Fluent order ref "${order.ref}" is only the prefix "${prefix}"`);
      return { by: 'orderNumber', value };
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
      return { by: 'orderNumber', value: text };
    }
  }
}

/** Stable string for caches and logs. */
export function locatorKey(projectKey: string, locator: OrderLocator): string {
  return `${projectKey}\u0000${locator.by}\u0000${locator.value}`;
}
