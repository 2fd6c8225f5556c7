/**
 * `@rapport/audit`: the audit trail of every write (who, when, which fields, old and new values,
 * in the write's transaction) and GDPR access and erasure of a person, as a Rapport plugin.
 *
 * @packageDocumentation
 */
export { type AuditAction, type AuditChange, auditChanges } from './audit-changes.js';
export type { AuditEntry } from './audit-entry.js';
export type { AuditSource } from './audit-hooks.js';
export { type AuditOptions, auditPlugin } from './audit-plugin.js';
export {
  type AuditAccess,
  type AuditPage,
  type AuditQuery,
  auditQuerySchema,
} from './audit-reader.js';
export { auditTables, createAuditEntries } from './audit-tables.js';
export type { PersonRef } from './privacy/erase-plan.js';
export type { HeldPerson } from './privacy/held-person.js';
export type { ErasureReport } from './privacy/person-erase.js';
export type { PersonExport } from './privacy/person-export.js';
export { erasedPlaceholder } from './privacy/person-terms.js';
