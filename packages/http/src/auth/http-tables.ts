/**
 * The tables of the http plugin, with their column kinds: they type the plugin's `ctx.db`. The
 * plugin's migration creates them.
 */
export const httpTables = {
  httpApiKeys: {
    tenantId: 'text',
    id: 'text',
    name: 'text',
    keyHash: 'text',
    actorId: 'text',
    actorRole: 'text',
    createdAt: 'timestamp',
    revokedAt: 'timestamp?',
    subject: 'text',
    scopes: 'text',
  },
} as const;
