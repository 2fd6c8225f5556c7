export type { StorageConformanceOptions } from './conformance-context.js';
export { describeStorageConformance } from './describe-storage-conformance.js';
