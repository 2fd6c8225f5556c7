import type { CrmScope, ObjectName } from '@rapport/core';

/** @internal One object as a REST collection. */
export interface Collection {
  /** Core's object name: `lineItem`. */
  readonly object: ObjectName;
  /** The URL segment: `line-items`. */
  readonly path: string;
  /** The scope's repository: `lineItems`. */
  readonly repository: keyof CrmScope & string;
  /** The name of its schemas in the OpenAPI document: `LineItem`. */
  readonly schemaName: string;
  /** Whether records can be written over the API (stage history is written by the engine). */
  readonly writable: boolean;
}

function collection(
  object: ObjectName,
  path: string,
  repository: keyof CrmScope & string,
  writable = true,
): Collection {
  return {
    object,
    path,
    repository,
    schemaName: object.charAt(0).toUpperCase() + object.slice(1),
    writable,
  };
}

/** @internal Every standard object, as the API exposes it. */
export const collections: readonly Collection[] = [
  collection('user', 'users', 'users'),
  collection('team', 'teams', 'teams'),
  collection('account', 'accounts', 'accounts'),
  collection('contact', 'contacts', 'contacts'),
  collection('campaign', 'campaigns', 'campaigns'),
  collection('lead', 'leads', 'leads'),
  collection('product', 'products', 'products'),
  collection('pipeline', 'pipelines', 'pipelines'),
  collection('opportunity', 'opportunities', 'opportunities'),
  collection('lineItem', 'line-items', 'lineItems'),
  collection('activity', 'activities', 'activities'),
  collection('stageHistory', 'stage-history', 'stageHistory', false),
  collection('quota', 'quotas', 'quotas'),
  collection('contract', 'contracts', 'contracts'),
];
