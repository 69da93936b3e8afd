export * from './headers.js';
export * from './serde.js';
export * from './topics.js';
export * from './webhook-event.js';
export * from './connection-config.js';
export * from './logging.js';
