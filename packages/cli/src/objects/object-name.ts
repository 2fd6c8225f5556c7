import { type ObjectName, repositoryKeys, standardObjects } from '@rapport/core';
import { UsageError } from '../errors/cli-errors.js';

// Cast: Object.keys loses the key type; these are exactly the standard objects' names.
const objectNames = Object.keys(standardObjects) as ObjectName[];

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The object a command argument names: its name (`opportunity`, `lineItem`), its table
 * (`opportunities`) or either in kebab or snake case (`line-items`, `stage_history`).
 *
 * @example
 * resolveObjectName('opportunities'); // 'opportunity'
 */
export function resolveObjectName(argument: string): ObjectName {
  const wanted = normalise(argument);
  for (const name of objectNames) {
    const definition = standardObjects[name];
    if (normalise(name) === wanted || normalise(definition.table) === wanted) return name;
    if (normalise(definition.table) === `opportunity${wanted}`) return name;
  }
  throw new UsageError(
    `unknown object "${argument}"; one of: ${objectNames.map((n) => standardObjects[n].table).join(', ')}`,
  );
}

/**
 * The scope property of an object's repository: `opportunity` -> `opportunities`.
 *
 * @example
 * repositoryKey('stageHistory'); // 'stageHistory'
 */
export function repositoryKey(name: ObjectName) {
  return repositoryKeys[name];
}
