import { type CrmScope, isRapportError, type ObjectName } from '@rapport/core';
import type { ImportMappingConfig } from '../config/config-schema.js';
import type { ColumnMapping } from './column-mapping.js';
import type { CsvRow } from './csv-rows.js';
import type { FieldKind } from './field-values.js';
import type { RowError } from './import-records.js';

/** The fields a history import reads besides the object's own, with their kind and references. */
export interface HistoryFields {
  readonly kinds: ReadonlyMap<string, FieldKind>;
  /** Fields that name another record (by id or external id), resolved like references. */
  readonly references: Readonly<Record<string, string>>;
}

/** Every record's own creation, which the engine takes in a history write. */
const creationKinds: readonly [string, FieldKind][] = [
  ['createdAt', 'timestamp'],
  ['createdBy', 'text'],
];
const creationFields = new Set(creationKinds.map(([field]) => field));

const datedHistory: HistoryFields = {
  kinds: new Map(creationKinds),
  references: { createdBy: 'user' },
};

const leadHistory: HistoryFields = {
  kinds: new Map<string, FieldKind>([
    ...creationKinds,
    ['converted', 'boolean'],
    ['convertedAt', 'timestamp'],
    ['convertedAccountId', 'text'],
    ['convertedContactId', 'text'],
    ['convertedOpportunityId', 'text'],
  ]),
  references: { createdBy: 'user' },
};

const opportunityHistory: HistoryFields = {
  kinds: new Map<string, FieldKind>([
    ...creationKinds,
    ['leadId', 'text'],
    ['leadConvertedAt', 'timestamp'],
  ]),
  references: { leadId: 'lead', createdBy: 'user' },
};

/**
 * The history fields of an object: every record's own creation (`createdAt`, `createdBy`: a user
 * by id or external id, else the source's name as given), a lead's conversion (`converted`,
 * `convertedAt` and the account, contact and opportunity it became), an opportunity's lead
 * (`leadId`, the lead the deal came from, and `leadConvertedAt`).
 *
 * @example
 * historyFields('lead').kinds.get('convertedAt'); // 'timestamp'
 */
export function historyFields(object: ObjectName): HistoryFields {
  return object === 'lead'
    ? leadHistory
    : object === 'opportunity'
      ? opportunityHistory
      : datedHistory;
}

/**
 * A named mapping without the columns that fill a record's creation (`createdAt`,
 * `createdBy`): the shipped export mappings name them, and an import without `--history` keeps
 * the engine's own creation date instead.
 *
 * @example
 * const lead = shippedMappings()['salesforce.lead'];
 * if (lead) withoutCreationColumns(lead).columns.CreatedDate; // undefined
 */
export function withoutCreationColumns(mapping: ImportMappingConfig): ImportMappingConfig {
  const columns = Object.entries(mapping.columns).filter(([, target]) => {
    const named =
      target === null
        ? []
        : typeof target === 'string'
          ? [target]
          : Array.isArray(target)
            ? target
            : Array.isArray(target.field)
              ? target.field
              : [target.field];
    return !named.some((field) => creationFields.has(field));
  });
  return { ...mapping, columns: Object.fromEntries(columns) };
}

/** A lead conversion a row asks for, once its record has landed. */
export interface LeadConversion {
  /** The external id of the row's own record. */
  readonly externalId: string;
  /** The lead (id) to convert; for lead rows, the row's own record. */
  readonly leadId?: string;
  readonly accountId?: string;
  readonly contactId?: string;
  readonly opportunityId?: string;
  readonly convertedAt?: string;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Takes the history fields out of an upsert input (the engine's lead fields for conversion are
 * read-only: conversion is the engine's own operation) and returns the conversion they ask for.
 *
 * @example
 * takeConversion('lead', { externalId: 'L1', converted: true }); // { externalId: 'L1' }
 */
export function takeConversion(
  object: ObjectName,
  input: Record<string, unknown>,
): LeadConversion | undefined {
  if (object !== 'lead' && object !== 'opportunity') return undefined;
  const fields = historyFields(object);
  const taken: Record<string, unknown> = {};
  for (const field of fields.kinds.keys()) {
    // The creation date and author stay: the engine's history write takes them.
    if (field in input && !creationFields.has(field)) {
      taken[field] = input[field];
      delete input[field];
    }
  }
  const externalId = String(input.externalId ?? '');
  const optional = (key: keyof LeadConversion, value: unknown) => {
    const found = text(value);
    return found === undefined ? {} : { [key]: found };
  };
  if (object === 'opportunity') {
    const leadId = text(taken.leadId);
    if (!leadId) return undefined;
    return { externalId, leadId, ...optional('convertedAt', taken.leadConvertedAt) };
  }
  const named = ['convertedAccountId', 'convertedContactId', 'convertedOpportunityId'].some(
    (field) => text(taken[field]) !== undefined,
  );
  if (taken.converted === false || (taken.converted !== true && !named && !taken.convertedAt)) {
    return undefined;
  }
  // The conversion sets the converted status; the row's own copy of it would be refused.
  if (input.status === 'Closed - Converted') delete input.status;
  return {
    externalId,
    ...optional('accountId', taken.convertedAccountId),
    ...optional('contactId', taken.convertedContactId),
    ...optional('opportunityId', taken.convertedOpportunityId),
    ...optional('convertedAt', taken.convertedAt),
  };
}

interface Converting {
  readonly row: CsvRow;
  readonly conversion?: LeadConversion | undefined;
}

/**
 * Converts the leads that landed rows ask for, through `scope.leads.convert` (account, contact and
 * deal linked, activities moved, event and audit as for any conversion). A lead already
 * converted is left alone (a second import changes nothing), unless a deal row names it for
 * another deal, which is an error of that row.
 *
 * @example
 * await runConversions(tx, 'opportunity', rows, mapping);
 */
export async function runConversions(
  scope: CrmScope,
  object: ObjectName,
  rows: readonly Converting[],
  mapping: ColumnMapping,
): Promise<{ converted: number; failed: { row: CsvRow; errors: RowError[] }[]; fatal: boolean }> {
  const failed: { row: CsvRow; errors: RowError[] }[] = [];
  let converted = 0;
  const fail = (row: CsvRow, field: string, code: string, message: string) =>
    failed.push({
      row,
      errors: [{ line: row.line, column: mapping.columnOf(field), field, code, message }],
    });
  for (const { row, conversion } of rows) {
    if (!conversion) continue;
    const leadField = object === 'lead' ? 'externalId' : 'leadId';
    const lead =
      object === 'lead'
        ? await scope.leads.findByExternalId(conversion.externalId)
        : await scope.leads.find(conversion.leadId ?? '');
    if (!lead) {
      fail(
        row,
        leadField,
        'VALIDATION',
        `references no lead ${conversion.leadId ?? conversion.externalId}`,
      );
      continue;
    }
    let opportunityId = conversion.opportunityId;
    if (object === 'opportunity') {
      opportunityId = (await scope.opportunities.findByExternalId(conversion.externalId))?.id;
    }
    if (lead.convertedAt != null) {
      if (object === 'opportunity' && lead.convertedOpportunityId !== opportunityId) {
        fail(
          row,
          leadField,
          'VALIDATION',
          `lead ${lead.externalId ?? lead.id} was converted to another deal`,
        );
      }
      continue;
    }
    try {
      await scope.leads.convert(lead.id, {
        ...(conversion.accountId === undefined ? {} : { accountId: conversion.accountId }),
        ...(conversion.contactId === undefined ? {} : { contactId: conversion.contactId }),
        ...(opportunityId === undefined ? {} : { opportunityId }),
        ...(conversion.convertedAt === undefined ? {} : { convertedAt: conversion.convertedAt }),
      });
      converted++;
    } catch (error) {
      if (!isRapportError(error)) throw error;
      const issue = error.issues[0];
      const field = issue?.path.length ? String(issue.path[issue.path.length - 1]) : leadField;
      fail(row, field, error.code, issue?.message ?? error.message);
      if (error.code !== 'VALIDATION') return { converted, failed, fatal: true };
    }
  }
  return { converted, failed, fatal: false };
}
