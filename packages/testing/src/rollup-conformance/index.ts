export {
  describeRollupConformance,
  type RollupConformanceOptions,
} from './describe-rollup-conformance.js';
