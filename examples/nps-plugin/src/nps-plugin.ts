import { type Actor, newId } from '@rapport/core';
import {
  defineKpi,
  definePlugin,
  type KpiRow,
  kpiDivide,
  RapportError,
  sql,
} from '@rapport/core/plugin';
import { z } from 'zod';
import { createNpsResponses, npsTables } from './nps-tables.js';

/** A survey answer on the 0-10 scale of the Net Promoter Score (Reichheld, HBR 2003). */
export const npsScoreSchema = z.number().int().min(0).max(10);

/**
 * Net Promoter Score of the answers given in the period (Reichheld, "The One Number You Need to
 * Grow", HBR 2003): the share of promoters (9-10) less the share of detractors (0-6), from -1 to
 * 1. It reads the plugin's own table through `ctx.pluginTable`, and only the answers whose
 * activity the actor can see (`ctx.scoped('activity')`): a rep's NPS is that of her accounts.
 *
 * @example
 * const { 'acme.nps': nps } = await scope.kpis.evaluate(['acme.nps'], { period: '2026-Q1' });
 */
export const npsKpi = defineKpi({
  id: 'acme.nps',
  group: 'acme',
  title: { en: 'Net Promoter Score', de: 'Net Promoter Score' },
  description: '(promoters - detractors) / answers, over the NPS answers given in the period',
  unit: 'ratio',
  direction: 'higher',
  dimensions: [],
  reference: 'Reichheld, The One Number You Need to Grow, Harvard Business Review, 2003',
  async query(ctx): Promise<KpiRow[]> {
    const visible = (await ctx.scoped('activity', 'a')).select('a.id');
    let answers = ctx.pluginTable('npsResponses', 'r').where('r.id', 'in', visible);
    if (ctx.range?.startInstant && ctx.range.endInstant) {
      answers = answers
        .where('r.answeredAt', '>=', ctx.range.startInstant)
        .where('r.answeredAt', '<', ctx.range.endInstant);
    }
    const row = await answers
      .select([
        sql<number | string>`count(*)`.as('answers'),
        sql<number | string>`sum(case when ${sql.ref('r.score')} >= 9 then 1 else 0 end)`.as(
          'promoters',
        ),
        sql<number | string>`sum(case when ${sql.ref('r.score')} <= 6 then 1 else 0 end)`.as(
          'detractors',
        ),
      ])
      .executeTakeFirst();
    const count = Number(row?.answers ?? 0);
    const net = Number(row?.promoters ?? 0) - Number(row?.detractors ?? 0);
    return [
      {
        key: null,
        value: kpiDivide(net, count, 'no NPS answers in the period'),
        sampleSize: count,
      },
    ];
  },
});

/**
 * A response as the plugin's API returns it.
 *
 * @example
 * const [first] = await crm.plugin('acme-nps').responses('acme');
 */
export interface NpsResponse {
  readonly id: string;
  readonly accountId: string;
  readonly score: number;
  readonly answeredAt: string;
  readonly answeredBy: string;
}

/**
 * A third-party plugin written against `@rapport/core/plugin` only, as `@rapport/http` is: it
 * declares its own table, adds a custom field, keeps its table in step with activities through
 * typed hooks (inside the activity's transaction), and exposes a runtime API from `init(ctx)`.
 *
 * A survey answer is logged as an activity on the account with the custom field `npsScore`; the
 * hook copies it to `nps_responses`, keyed by the activity id, so deleting the activity deletes the
 * response in the same transaction.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [npsPlugin] });
 * await crm.migrate();
 * await crm.plugin('acme-nps').record('acme', actor, { accountId, score: 9 });
 */
export const npsPlugin = definePlugin({
  id: 'acme-nps',
  kpis: [npsKpi],
  tables: npsTables,
  fields: { activity: { npsScore: npsScoreSchema.optional() } },
  migrations: { '0001-nps-responses': createNpsResponses },
  hooks: {
    activity: {
      beforeCreate: ({ data }) => {
        // `data` is typed from the activity and this plugin's field: `data.npsScore` would not compile.
        if (data.custom?.npsScore !== undefined && !data.accountId) {
          throw new RapportError('VALIDATION', 'an NPS answer needs the account it is about', {
            object: 'activity',
            issues: [
              {
                path: ['accountId'],
                message: 'is required with custom.npsScore',
                code: 'required',
              },
            ],
          });
        }
      },
      afterCreate: async ({ record, tables, actor }) => {
        const score = record.custom.npsScore;
        if (score === undefined || record.accountId === null) return;
        await tables
          .insertInto('npsResponses', {
            id: record.id,
            accountId: record.accountId,
            score,
            answeredAt: record.createdAt,
            answeredBy: actor.id,
          })
          .execute();
      },
      beforeDelete: async ({ record, tables }) => {
        await tables.deleteFrom('npsResponses').where('id', '=', record.id).execute();
      },
    },
  },
  init: (ctx) => ({
    /**
     * Records an answer as `actor`: an activity on the account, so the engine checks the
     * account reference and the actor's rights; the hook writes the response row.
     */
    async record(
      tenantId: string,
      actor: Actor,
      answer: { readonly accountId: string; readonly score: number },
    ): Promise<NpsResponse> {
      const activity = await ctx
        .tenant(tenantId)
        .as(actor)
        .activities.create({
          id: newId(ctx.now().getTime()),
          type: 'email',
          subject: `NPS answer: ${answer.score}`,
          accountId: answer.accountId,
          completedAt: ctx.now().toISOString(),
          custom: { npsScore: answer.score },
        });
      const row = await ctx
        .tenantTables(tenantId)
        .selectFrom('npsResponses')
        .selectAll()
        .where('id', '=', activity.id)
        .executeTakeFirstOrThrow();
      return responseOf(row);
    },
    /** The tenant's responses, oldest first. */
    async responses(tenantId: string): Promise<NpsResponse[]> {
      const rows = await ctx
        .tenantTables(tenantId)
        .selectFrom('npsResponses')
        .selectAll()
        .orderBy('answeredAt')
        .orderBy('id')
        .execute();
      return rows.map(responseOf);
    },
    /**
     * A response by id alone, before its tenant is known (a survey tool's webhook names the
     * response, not the tenant): the unscoped `ctx.db` over the plugin's own table.
     */
    async tenantOfResponse(id: string): Promise<string | undefined> {
      const row = await ctx.db
        .selectFrom('npsResponses')
        .select('tenantId')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.tenantId;
    },
    /** The activity custom fields the engine knows, this plugin's among them. */
    activityFields: (): string[] => Object.keys(ctx.customFields.activity.shape),
  }),
});

function responseOf(row: NpsResponse & { readonly tenantId: string }): NpsResponse {
  return {
    id: row.id,
    accountId: row.accountId,
    score: row.score,
    answeredAt: row.answeredAt,
    answeredBy: row.answeredBy,
  };
}
