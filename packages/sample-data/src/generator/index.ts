export {
  type ExistingRecords,
  type GeneratorOptions,
  generateCrmData,
  generateCrmRows,
} from './crm-generator.js';
export type {
  GeneratedAccount,
  GeneratedActivity,
  GeneratedBase,
  GeneratedBatch,
  GeneratedCampaign,
  GeneratedContract,
  GeneratedLead,
  GeneratedOpportunity,
  GeneratedProduct,
  GeneratedQuota,
  GeneratedStageHistory,
  GeneratedTable,
  GeneratedTables,
  GeneratedTeam,
  GeneratedUser,
} from './generated-rows.js';
export { type InsertGeneratedOptions, insertGeneratedData } from './insert-generated.js';
export { createRandom, entitySeed, type Random } from './prng.js';
export {
  generateStageHistory,
  type HistoryStage,
  type HistorySubject,
  type StageHistoryOptions,
} from './stage-history.js';
