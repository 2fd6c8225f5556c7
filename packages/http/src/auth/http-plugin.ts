import { definePlugin } from '@rapport/core';

/**
 * The HTTP package's plugin: a migration that creates the table of hashed API keys. Pass it to
 * `createCrm` when you use {@link createApiKeyStore}; core stays free of HTTP concerns.
 *
 * @example
 * const crm = createCrm({ storage, plugins: [httpPlugin] });
 * await crm.migrate(); // applies plugin:http:0001-api-keys
 */
export const httpPlugin = definePlugin({
  id: 'http',
  migrations: {
    '0001-api-keys': {
      async up(db, { types }) {
        await db.schema
          .createTable('httpApiKeys')
          .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
          .addColumn('id', types.text, (c) => c.notNull())
          .addColumn('name', types.text, (c) => c.notNull())
          .addColumn('keyHash', types.text, (c) => c.notNull())
          .addColumn('actorId', types.text, (c) => c.notNull())
          .addColumn('actorRole', types.text, (c) => c.notNull())
          .addColumn('createdAt', types.timestamp, (c) => c.notNull())
          .addColumn('revokedAt', types.timestamp)
          .addPrimaryKeyConstraint('http_api_keys_pk', ['tenantId', 'id'])
          .execute();
        // A presented key names its id but not its tenant, so the lookup is by id alone.
        await db.schema
          .createIndex('http_api_keys_id_idx')
          .on('httpApiKeys')
          .column('id')
          .unique()
          .execute();
      },
      async down(db) {
        await db.schema.dropTable('httpApiKeys').execute();
      },
    },
  },
});
