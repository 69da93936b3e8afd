export * from './server.js';
export * from './store.js';
export { fluentSchema, FLUENT_SDL } from './schema.js';
export * from './webhook-sender.js';
export {
  queryOrders,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type OrdersQuery,
  type OrderConnection,
} from './orders-query.js';
