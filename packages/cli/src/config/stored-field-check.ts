import type { CrmScope, ObjectName } from '@rapport/core';
import { InputError } from '../errors/cli-errors.js';
import { exportedRecords } from '../export/record-export.js';
import { customFieldSchema } from './custom-field-schemas.js';
import type { ConfigFields } from './define-config.js';

/** A stored custom value that the declared type no longer accepts. */
export interface StaleCustomValue {
  readonly object: ObjectName;
  readonly field: string;
  /** The record's external id, else its id. */
  readonly record: string;
  readonly value: unknown;
  readonly message: string;
}

/**
 * The stored custom values that no longer parse with the config's field declarations (a field
 * whose type was changed after records were written), at most `limit` per field.
 *
 * @example
 * await staleCustomValues(scope, { account: { seats: { type: 'integer' } } });
 */
export async function staleCustomValues(
  scope: CrmScope,
  fields: ConfigFields,
  limit = 3,
): Promise<{ readonly stale: StaleCustomValue[]; readonly counts: Map<string, number> }> {
  const stale: StaleCustomValue[] = [];
  const counts = new Map<string, number>();
  // Cast: Object.entries loses the key type; the config's keys are object names (checked by its schema).
  for (const [object, declared] of Object.entries(fields) as [
    ObjectName,
    ConfigFields[ObjectName],
  ][]) {
    const schemas = Object.entries(declared ?? {}).map(
      ([field, config]) => [field, customFieldSchema(config)] as const,
    );
    if (schemas.length === 0) continue;
    for await (const record of exportedRecords(scope, object)) {
      // Cast: a record of an erased object carries its custom fields as unknown values.
      const custom = (record.custom ?? {}) as Record<string, unknown>;
      for (const [field, schema] of schemas) {
        if (!(field in custom)) continue;
        const parsed = schema.safeParse(custom[field]);
        if (parsed.success) continue;
        const key = `${object}.custom.${field}`;
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        if (count <= limit) {
          stale.push({
            object,
            field,
            record: String(record.externalId ?? record.id),
            value: custom[field],
            message: parsed.error.issues[0]?.message ?? 'does not parse',
          });
        }
      }
    }
  }
  return { stale, counts };
}

/**
 * Fails with an input error naming every custom field whose stored values the config's type no
 * longer accepts, with examples and how to migrate: a changed field type is caught before
 * anything is written, not found later as wrong KPIs.
 *
 * @example
 * await checkStoredCustomFields(scope, loaded.config.fields, loaded.file);
 */
export async function checkStoredCustomFields(
  scope: CrmScope,
  fields: ConfigFields,
  configFile: string,
): Promise<void> {
  const { stale, counts } = await staleCustomValues(scope, fields);
  if (stale.length === 0) return;
  const lines = [...counts].map(([key, count]) => {
    const examples = stale
      .filter((s) => `${s.object}.custom.${s.field}` === key)
      .map((s) => `${s.record}: ${JSON.stringify(s.value)} (${s.message})`)
      .join('; ');
    const [object, , field] = key.split('.');
    return `${configFile}: fields.${object}.${field}: ${count} stored value${count === 1 ? '' : 's'} of ${key} no longer match the declared type, e.g. ${examples}`;
  });
  throw new InputError(
    `${lines.join('\n')}\nthe field's type was changed after records were written: change it back, or migrate the values (rapport export, correct the column, rapport import) under the old type first`,
  );
}
