import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CrmScope } from '@rapport/core';
import type { ConfigFields } from '../config/define-config.js';
import { customFieldKinds, findMapping, sourceSystems } from '../config/import-mappings.js';
import { InputError } from '../errors/cli-errors.js';
import { type ImportOptions, type ImportSummary, importRecords } from './import-records.js';
import { importStageHistoryFile } from './stage-history-import.js';

/** Options of {@link importExport}: those of one file's import, and progress callbacks. */
export interface ExportImportOptions
  extends Omit<
    ImportOptions,
    'object' | 'file' | 'mapping' | 'mappingFile' | 'customKinds' | 'errorsFile'
  > {
  readonly fields?: ConfigFields | undefined;
  /** Called when a file starts. */
  readonly onFile?: (file: string, object: string) => void;
  /** Called when a file is done (inside the transaction: nothing is committed yet). */
  readonly onSummary?: (file: string, object: string, summary: ImportSummary) => void;
}

/**
 * Imports a whole export folder of a source system (`salesforce`, `hubspot`, `pipedrive`): its
 * standard files in dependency order (accounts before the contacts and deals that name them),
 * external ids resolved across files, as a history import. All or nothing by default: one
 * transaction over every file, so a bad row in the last file leaves the database as it was.
 *
 * @example
 * await importExport(scope, 'salesforce', './export', { skipInvalid: false });
 */
export async function importExport(
  scope: CrmScope,
  systemId: string,
  folder: string,
  options: ExportImportOptions,
): Promise<ImportSummary[]> {
  const system = sourceSystems[systemId];
  if (!system) {
    throw new InputError(
      `--from ${systemId}: unknown system (one of ${Object.keys(sourceSystems).join(', ')})`,
    );
  }
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError(`--from ${systemId}: ${folder} is not a folder`);
  }
  const files = system.order.flatMap((entry) => {
    const name = entry.files.find((candidate) => existsSync(join(folder, candidate)));
    const mapping = findMapping(entry.mapping, undefined);
    return name && mapping ? [{ file: join(folder, name), mapping }] : [];
  });
  if (files.length === 0) {
    throw new InputError(
      `${folder} has none of the ${systemId} export files (${system.order.flatMap((e) => e.files).join(', ')})`,
    );
  }
  const run = async (target: CrmScope) => {
    const summaries: ImportSummary[] = [];
    for (const { file, mapping } of files) {
      options.onFile?.(file, mapping.object);
      if (mapping.object === 'stageHistory') {
        const history = await importStageHistoryFile(target, {
          file,
          mapping,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
        const summary: ImportSummary = {
          rows: history.rows,
          created: history.created,
          updated: history.updated + history.unchanged,
          rejected: 0,
          errors: [],
          converted: 0,
          dryRun: false,
        };
        options.onSummary?.(file, mapping.object, summary);
        summaries.push(summary);
        continue;
      }
      const summary = await importRecords(target, {
        ...options,
        history: true,
        dryRun: false,
        object: mapping.object,
        file,
        mapping,
        customKinds: customFieldKinds(options.fields, mapping.object),
      });
      options.onSummary?.(file, mapping.object, summary);
      summaries.push(summary);
    }
    return summaries;
  };
  if (options.skipInvalid) return run(scope);
  // One transaction over every file; a dry run rolls it back at the end (the files' own
  // transactions join this one, so each file runs as a plain import inside it).
  let result: ImportSummary[] = [];
  await scope
    .transaction(async (tx) => {
      result = await run(tx);
      if (options.dryRun) throw new DryRun();
    })
    .catch((error: unknown) => {
      if (!(error instanceof DryRun)) throw error;
    });
  return result;
}

/** Rolls back a dry run of a whole export. */
class DryRun extends Error {}
