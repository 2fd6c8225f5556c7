/**
 * What a key may do. `read` reads records and KPIs, `write` creates, changes and deletes (what
 * the actor's role allows; a scope never widens a role), `kpi` reads the KPI routes only.
 *
 * @example
 * const readOnly: ApiKeyScope[] = ['read'];
 */
export type ApiKeyScope = 'read' | 'write' | 'kpi';

/** Every scope; a key made without `scopes` gets `read` and `write`. */
export const apiKeyScopes: readonly ApiKeyScope[] = ['read', 'write', 'kpi'];

/** The scopes of a key made without any: everything its user's role allows. */
export const defaultKeyScopes: readonly ApiKeyScope[] = ['read', 'write'];

/** @internal Whether a string is a scope. */
export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === 'string' && (apiKeyScopes as readonly string[]).includes(value);
}

/** The kind of a route, by what it does. */
type RouteKind = 'meta' | 'kpi' | 'read' | 'write';

function routeKind(method: string, path: string): RouteKind {
  // Matched on the end of the path, so a host that mounts the API under a prefix works too.
  if (/\/(session|openapi\.json)$/.test(path)) return 'meta';
  if (/\/kpis(\/evaluate)?$/.test(path)) return 'kpi';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/**
 * @internal Whether a key with `scopes` may call `method path`. Who the key is and what the
 * session says are always readable; KPI routes (evaluation is a POST too) need `kpi` or `read`.
 *
 * @example
 * scopesAllow(['kpi'], 'POST', '/kpis/evaluate'); // true
 * scopesAllow(['kpi'], 'GET', '/opportunities'); // false
 */
export function scopesAllow(scopes: readonly ApiKeyScope[], method: string, path: string): boolean {
  const kind = routeKind(method, path);
  if (kind === 'meta') return true;
  if (kind === 'kpi') return scopes.includes('kpi') || scopes.includes('read');
  return scopes.includes(kind);
}
