import { definePlugin } from '@rapport/core/plugin';
import { apiKeyStoreOf } from './api-key-store.js';
import { httpTables } from './http-tables.js';

/**
 * The HTTP package's plugin: the table of hashed API keys (declared, and created by its
 * migrations) and a runtime that makes the key store over it (`crm.plugin('http').apiKeys`).
 * Pass it to `createCrm` when you use {@link createApiKeyStore}; core stays free of HTTP concerns.
 *
 * @example
 * const crm = createCrm({ storage, plugins: [httpPlugin] });
 * await crm.migrate(); // applies plugin:http:0001-api-keys
 */
export const httpPlugin = definePlugin({
  id: 'http',
  tables: httpTables,
  init: (ctx) => ({ apiKeys: apiKeyStoreOf(ctx) }),
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
    // Keys act as a user with the user's current role (actorRole stays as the role at issue,
    // for audit); a system key acts as the tenant's system admin. Scopes narrow what a key does.
    '0002-key-subjects-and-scopes': {
      async up(db, { types }) {
        await db.schema
          .alterTable('httpApiKeys')
          .addColumn('subject', types.text, (c) => c.notNull().defaultTo('user'))
          .execute();
        await db.schema
          .alterTable('httpApiKeys')
          .addColumn('scopes', types.text, (c) => c.notNull().defaultTo('read,write'))
          .execute();
      },
      async down(db) {
        await db.schema.alterTable('httpApiKeys').dropColumn('scopes').execute();
        await db.schema.alterTable('httpApiKeys').dropColumn('subject').execute();
      },
    },
  },
});
