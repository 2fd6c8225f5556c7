import type { ImportMappingConfig } from '../../config/config-schema.js';

/** One file of a source system's export: its name in the folder and how it maps. */
export interface SourceFile {
  /** File names to look for in the export folder (the first one found is used). */
  readonly files: readonly string[];
  /** The shipped mapping's name (`salesforce.lead`). */
  readonly mapping: string;
}

/** A CRM whose standard exports Rapport imports: its mappings and their dependency order. */
export interface SourceSystem {
  readonly id: 'salesforce' | 'hubspot' | 'pipedrive';
  /** Mappings by name, without the system prefix. */
  readonly mappings: Readonly<Record<string, ImportMappingConfig>>;
  /** The files of a whole export, in the order references need (accounts before contacts). */
  readonly order: readonly SourceFile[];
}
