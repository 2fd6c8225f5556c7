import type { RapportMigration } from '@rapport/core/plugin';

/**
 * The audit plugin's own table and its column kinds: this declaration types the plugin's kysely in
 * `init(ctx)` and in its hooks. `changes` is JSON text (a list of {@link AuditChange}), stored as
 * text so SQLite and Postgres read it back alike.
 */
export const auditTables = {
  auditEntries: {
    tenantId: 'text',
    id: 'text',
    object: 'text',
    recordId: 'text',
    action: 'text',
    actorId: 'text',
    actorRole: 'text',
    at: 'timestamp',
    changes: 'text',
    source: 'text',
  },
} as const;

/**
 * Creates `audit_entries`. No foreign key to the records: the row of a delete outlives its
 * record. The two indexes serve the two reads: one record's history (tenant, object, record id,
 * time) and the tenant's trail by time (listing, retention purge).
 */
export const createAuditEntries: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .createTable('auditEntries')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('id', types.text, (c) => c.notNull())
      .addColumn('object', types.text, (c) => c.notNull())
      .addColumn('recordId', types.text, (c) => c.notNull())
      .addColumn('action', types.text, (c) => c.notNull())
      .addColumn('actorId', types.text, (c) => c.notNull())
      .addColumn('actorRole', types.text, (c) => c.notNull())
      .addColumn('at', types.timestamp, (c) => c.notNull())
      .addColumn('changes', types.text, (c) => c.notNull())
      .addColumn('source', types.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_entries_pk', ['tenantId', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_entries_record_idx')
      .on('auditEntries')
      .columns(['tenantId', 'object', 'recordId', 'at'])
      .execute();
    await db.schema
      .createIndex('audit_entries_at_idx')
      .on('auditEntries')
      .columns(['tenantId', 'at'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('auditEntries').execute();
  },
};
