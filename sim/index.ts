export * from './fluent/index.js';
export * from './commercetools/index.js';
export {
  FaultController,
  DEFAULT_FAULTS,
  createRandom,
  type FaultConfig,
  type FaultDecision,
} from './common/faults.js';
export { processorEnvFor } from './processor-env.js';
