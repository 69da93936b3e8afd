/** The handler configuration the order-status handler tests build their handler with (fake clients). */
import type { OrderStatusConfig } from '../../../../../../processor/handlers/order-status/config.js';

export const HANDLER_CONFIG = {
  // Credentials the handler resolves per record; the fake clients never use them.
  commercetools: {
    projectKey: 'my-project',
    clientId: 'c',
    clientSecret: 's',
    scope: 'manage_orders:{projectKey}',
    authUrl: 'http://ct.invalid',
    apiUrl: 'http://ct.invalid',
  },
  correlation: { strategy: 'orderNumber' },
  orderNotFoundMaxAttempts: 3,
  conflictRetries: 3,
} as unknown as OrderStatusConfig;
