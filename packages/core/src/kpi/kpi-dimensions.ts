import { type Expression, type RawBuilder, sql } from 'kysely';
import { validationError } from '../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import { type KpiBreakdown, kpiDimensions } from './kpi-info.js';
import type { KpiGroupExpressions } from './kpi-query-context.js';

type Objects = Readonly<Record<string, AnyObjectDefinition>>;

// A set of plain strings, so that any `by` can be looked up without narrowing it first.
const dimensionNames: ReadonlySet<string> = new Set(kpiDimensions);

function hasField(objects: Objects, object: ObjectName, field: string): boolean {
  return field in (objects[object]?.fields.shape ?? {});
}

function column(alias: string, field: string): RawBuilder<unknown> {
  return sql`${sql.ref(`${alias}.${field}`)}`;
}

/** A column of the row's opportunity (for line items, stage history and activities). */
function opportunityColumn(alias: string, field: string): RawBuilder<unknown> {
  return sql`(select ${sql.ref(`kpiOpp.${field}`)} from ${sql.table('opportunities')} as ${sql.ref('kpiOpp')} where ${sql.ref('kpiOpp.tenantId')} = ${sql.ref(`${alias}.tenantId`)} and ${sql.ref('kpiOpp.id')} = ${sql.ref(`${alias}.opportunityId`)})`;
}

/** A column of a record `table` with id `id` of the same tenant. */
function lookup(
  table: string,
  field: string,
  alias: string,
  id: Expression<unknown>,
): RawBuilder<unknown> {
  const as = `kpi_${table}`;
  return sql`(select ${sql.ref(`${as}.${field}`)} from ${sql.table(table)} as ${sql.ref(as)} where ${sql.ref(`${as}.tenantId`)} = ${sql.ref(`${alias}.tenantId`)} and ${sql.ref(`${as}.id`)} = ${id})`;
}

/** Through the opportunity, for objects that belong to one. */
function viaOpportunity(
  objects: Objects,
  object: ObjectName,
  alias: string,
  field: string,
): RawBuilder<unknown> | undefined {
  if (object !== 'opportunity' && hasField(objects, object, 'opportunityId'))
    return opportunityColumn(alias, field);
  return undefined;
}

function ownerOf(objects: Objects, object: ObjectName, alias: string) {
  if (object === 'user') return column(alias, 'id');
  if (hasField(objects, object, 'ownerId')) return column(alias, 'ownerId');
  return viaOpportunity(objects, object, alias, 'ownerId');
}

function accountOf(objects: Objects, object: ObjectName, alias: string) {
  if (object === 'account') return column(alias, 'id');
  if (hasField(objects, object, 'accountId')) return column(alias, 'accountId');
  return viaOpportunity(objects, object, alias, 'accountId');
}

/**
 * The product of a row: its own, or its opportunity's main product (the line item with the
 * largest total, kept on the opportunity at write time as `mainProductId`).
 */
function productOf(objects: Objects, object: ObjectName, alias: string) {
  if (object === 'product') return column(alias, 'id');
  if (hasField(objects, object, 'productId')) return column(alias, 'productId');
  if (object === 'opportunity') return column(alias, 'mainProductId');
  return viaOpportunity(objects, object, alias, 'mainProductId');
}

function ownField(objects: Objects, object: ObjectName, alias: string, field: string) {
  if (hasField(objects, object, field)) return column(alias, field);
  return viaOpportunity(objects, object, alias, field);
}

function teamOf(objects: Objects, object: ObjectName, alias: string) {
  if (object === 'team') return column(alias, 'id');
  const owner = ownerOf(objects, object, alias);
  const ownersTeam = owner ? lookup('users', 'teamId', alias, owner) : undefined;
  if (hasField(objects, object, 'teamId'))
    return ownersTeam
      ? sql`coalesce(${column(alias, 'teamId')}, ${ownersTeam})`
      : column(alias, 'teamId');
  return ownersTeam;
}

/** Where a dimension's labels live: a column of a record table, looked up by the group key. */
const labelColumns: Readonly<Partial<Record<string, readonly [table: string, field: string]>>> = {
  owner: ['users', 'name'],
  team: ['teams', 'name'],
  product: ['products', 'name'],
  campaign: ['campaigns', 'name'],
};

/**
 * @internal The key and label expressions of a breakdown for rows of `object` aliased `alias`,
 * or a VALIDATION error when the object has no such dimension. `tenantId` is the evaluated
 * tenant, for `labelOf` (which runs on grouped rows, where no record alias is in scope).
 */
export function dimensionExpressions(
  by: KpiBreakdown,
  object: ObjectName,
  alias: string,
  objects: Objects,
  dialect: DialectSql,
  tenantId: string,
): KpiGroupExpressions {
  let key: RawBuilder<unknown> | undefined;
  let label: RawBuilder<unknown> | undefined;
  if (by.startsWith('custom.')) {
    key = dialect.jsonValue(sql.ref(`${alias}.custom`), by.slice('custom.'.length), 'text');
  } else {
    switch (by) {
      case 'owner':
        key = ownerOf(objects, object, alias);
        label = key && lookup('users', 'name', alias, key);
        break;
      case 'team':
        key = teamOf(objects, object, alias);
        label = key && lookup('teams', 'name', alias, key);
        break;
      case 'product':
        key = productOf(objects, object, alias);
        label = key && lookup('products', 'name', alias, key);
        break;
      case 'productFamily': {
        const product = productOf(objects, object, alias);
        key = product && lookup('products', 'family', alias, product);
        break;
      }
      case 'campaign':
        key =
          object === 'campaign'
            ? column(alias, 'id')
            : ownField(objects, object, alias, 'campaignId');
        label = key && lookup('campaigns', 'name', alias, key);
        break;
      case 'accountSegment': {
        const account = accountOf(objects, object, alias);
        key =
          object === 'account'
            ? column(alias, 'segment')
            : account && lookup('accounts', 'segment', alias, account);
        break;
      }
      case 'leadSource':
      case 'stage':
      case 'lostReason':
        key = ownField(objects, object, alias, by);
        break;
    }
  }
  // `custom.region` is the custom dimension `custom`; split always gives a first part.
  const [dimension = by] = by.split('.');
  if (!key || !dimensionNames.has(dimension)) {
    throw validationError(
      'kpi',
      ['by'],
      `${by} is not a dimension of ${object}`,
      'unknown_dimension',
    );
  }
  const labelColumn = labelColumns[by];
  if (!labelColumn) return { key, label: key };
  const [table, field] = labelColumn;
  const as = `kpi_${table}`;
  return {
    key,
    label: label ?? key,
    labelOf: (groupKey) =>
      sql`(select ${sql.ref(`${as}.${field}`)} from ${sql.table(table)} as ${sql.ref(as)} where ${sql.ref(`${as}.tenantId`)} = ${tenantId} and ${sql.ref(`${as}.id`)} = ${groupKey})`,
  };
}
