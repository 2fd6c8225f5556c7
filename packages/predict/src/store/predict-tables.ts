import type { PluginTables } from '@rapport/core/plugin';

/**
 * The predict plugin's tables and their column kinds (they type every query on them; the
 * migration creates them): trained models with their metrics, one row per tenant, kind and
 * version (a model trained for a forecast also with the key of its inputs); the latest score of
 * every lead. `model`, `metrics` and `factors` hold JSON text.
 */
export const predictTables = {
  predictModels: {
    tenantId: 'text',
    kind: 'text',
    version: 'integer',
    method: 'text',
    trainedAt: 'timestamp',
    model: 'text',
    metrics: 'text',
    cacheKey: 'text?',
  },
  predictLeadScores: {
    tenantId: 'text',
    leadId: 'text',
    probability: 'real',
    lower: 'real?',
    upper: 'real?',
    method: 'text',
    modelVersion: 'integer',
    scoredAt: 'timestamp',
    factors: 'text',
  },
} as const satisfies PluginTables;

/** What `pluginTablesOf` needs to find the tables on a scope's engine. */
export const predictPluginTables = { id: 'predict', tables: predictTables } as const;
