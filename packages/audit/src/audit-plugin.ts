import { type CrmScope, definePlugin, RapportError } from '@rapport/core/plugin';
import { type AuditHookState, type AuditSource, auditHooks, sourceOf } from './audit-hooks.js';
import {
  type AuditAccess,
  type AuditPage,
  type AuditQuery,
  listAuditEntries,
} from './audit-reader.js';
import { auditTables, createAuditEntries } from './audit-tables.js';
import type { PendingErasures, PersonRef } from './privacy/erase-plan.js';
import { type ErasureReport, erasePerson, storageIsSqlite } from './privacy/person-erase.js';
import { exportPerson, type PersonExport } from './privacy/person-export.js';

/**
 * Options of {@link auditPlugin}.
 *
 * @example
 * auditPlugin({ retentionDays: 730, source: 'api' });
 */
export interface AuditOptions {
  /** How long entries are kept: `purge()` deletes older ones. Default 730 days (two years). */
  readonly retentionDays?: number;
  /** The label stored with each entry; `api` by default. */
  readonly source?: AuditSource;
  /**
   * On SQLite, `VACUUM` after an erasure so no copy of the erased values stays in free space of
   * the file (true by default; it rewrites the whole file, which takes time on a large one).
   */
  readonly vacuumAfterErase?: boolean;
}

const dayMs = 86_400_000;

/**
 * The audit trail and GDPR plugin. Every create, update and delete of every object writes an
 * entry (who, when, which fields with old and new values) in the write's own transaction. The
 * trail has no write methods: it is read with `list`, kept for `retentionDays` and thinned by
 * `purge`; `privacy.export` and `privacy.erase` answer access and erasure requests.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }), plugins: [auditPlugin()] });
 * await crm.migrate();
 * const { items } = await crm.plugin('audit').list(scope, { object: 'opportunity', recordId: deal.id });
 */
export function auditPlugin(options: AuditOptions = {}) {
  const retentionDays = options.retentionDays ?? 730;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RapportError('VALIDATION', 'audit: retentionDays must be a whole number >= 1', {
      object: 'audit',
      issues: [
        { path: ['retentionDays'], message: 'must be a whole number >= 1', code: 'invalid' },
      ],
    });
  }
  const pending: PendingErasures = new Map();
  const state: AuditHookState = {
    source: options.source ?? 'api',
    pending,
    now: () => new Date(),
  };
  return definePlugin({
    id: 'audit',
    tables: auditTables,
    migrations: { '0001-audit-entries': createAuditEntries },
    hooks: auditHooks(state),
    init: (ctx) => {
      state.now = () => ctx.now();
      let sqlite: Promise<boolean> | undefined;
      return {
        /** How many days entries are kept. */
        retentionDays,
        /**
         * A page of the entries the reader may see, newest first: admins every entry; others the
         * entries of records they can see now (a deleted record's entries are for admins).
         */
        list: (access: AuditAccess, query?: AuditQuery): Promise<AuditPage> =>
          listAuditEntries(ctx, access, query),
        /**
         * Deletes the entries older than `retentionDays` (of one tenant, or all); returns how
         * many. Run it from a scheduled job or `rapport audit --purge`.
         */
        async purge(purgeOptions: { readonly tenantId?: string } = {}): Promise<number> {
          const cutoff = new Date(ctx.now().getTime() - retentionDays * dayMs).toISOString();
          const query = purgeOptions.tenantId
            ? ctx.tenantTables(purgeOptions.tenantId).deleteFrom('auditEntries')
            : ctx.db.deleteFrom('auditEntries');
          const result = await query.where('at', '<', cutoff).executeTakeFirst();
          return Number(result.numDeletedRows);
        },
        /** GDPR requests about one person. */
        privacy: {
          /** Everything held about the person that the scope can see, as JSON (Art. 15, 20). */
          export: (scope: CrmScope, ref: PersonRef): Promise<PersonExport> =>
            exportPerson(ctx, scope, ref),
          /** Anonymises the person everywhere in one transaction, logged (Art. 17); admins only. */
          async erase(scope: CrmScope, ref: PersonRef): Promise<ErasureReport> {
            sqlite ??= storageIsSqlite(ctx);
            return erasePerson(
              ctx,
              pending,
              {
                source: sourceOf(state.source, {
                  tenantId: scope.tenantId,
                  actor: scope.actor,
                  object: 'lead' in ref ? 'lead' : 'contact',
                }),
                vacuum: options.vacuumAfterErase ?? true,
                sqlite: await sqlite,
              },
              scope,
              ref,
            );
          },
        },
      };
    },
  });
}
