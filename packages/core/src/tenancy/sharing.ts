import { z } from 'zod';

/**
 * An org-wide default (Salesforce's "Organization-Wide Defaults"): what everyone in the tenant
 * may do with the records of an object they neither own nor see through the hierarchy or a team.
 * - `private`: nothing (owner, managers above the owner, teammates when team sharing is on);
 * - `publicRead`: read, filter, count and aggregate them, but not change them;
 * - `publicReadWrite`: also change and delete them.
 */
export const sharingLevels = ['private', 'publicRead', 'publicReadWrite'] as const;

/** An org-wide default: `private`, `publicRead` or `publicReadWrite`. */
export type SharingLevel = (typeof sharingLevels)[number];

/**
 * The objects whose records have an owner, and so an org-wide default. Line items and stage
 * history follow their opportunity; users, teams, products, pipelines and campaigns are read by
 * everyone and written by admins.
 */
export const sharingObjects = [
  'account',
  'contact',
  'lead',
  'opportunity',
  'activity',
  'contract',
  'quota',
] as const;

/** An object with an org-wide default. */
export type SharingObject = (typeof sharingObjects)[number];

/**
 * Team sharing: whether the members of a team (users with the same `teamId`) share their records.
 * - `off`: they do not;
 * - `read`: each member reads the others' records (lists, counts, KPIs, breakdowns);
 * - `readWrite`: each member also changes and deletes them.
 */
export const teamSharingLevels = ['off', 'read', 'readWrite'] as const;

/** Team sharing: `off`, `read` or `readWrite`. */
export type TeamSharing = (typeof teamSharingLevels)[number];

/**
 * The sharing settings of a tenant, as `scope.sharing.settings()` returns them: every object's
 * org-wide default and the team sharing. A tenant starts with everything `private` and team
 * sharing `off`: owners, their managers and admins only.
 *
 * @example
 * const { defaults, teams } = await scope.sharing.settings();
 * defaults.lead; // 'private'
 */
export interface SharingSettings {
  /** The org-wide default of each object. */
  readonly defaults: Readonly<Record<SharingObject, SharingLevel>>;
  /** Whether team members share their records. */
  readonly teams: TeamSharing;
  /** Starts at 0 (never changed), then counts the changes. */
  readonly version: number;
}

/** @internal The settings of a tenant that never changed them. */
export const defaultSharing: SharingSettings = {
  defaults: {
    account: 'private',
    contact: 'private',
    lead: 'private',
    opportunity: 'private',
    activity: 'private',
    contract: 'private',
    quota: 'private',
  },
  teams: 'off',
  version: 0,
};

const level = z.enum(sharingLevels);

/**
 * A change of the sharing settings (`scope.sharing.update`): the objects named get the new
 * default, the others keep theirs. Quotas are written by admins whatever the setting, so their
 * default is `private` or `publicRead`.
 *
 * @example
 * await admin.sharing.update({ defaults: { lead: 'publicReadWrite' }, teams: 'read' });
 */
export const sharingPatchSchema = z.strictObject({
  defaults: z
    .strictObject({
      account: level.optional(),
      contact: level.optional(),
      lead: level.optional(),
      opportunity: level.optional(),
      activity: level.optional(),
      contract: level.optional(),
      quota: z.enum(['private', 'publicRead']).optional(),
    })
    .optional(),
  teams: z.enum(teamSharingLevels).optional(),
});

/** Input of `scope.sharing.update`. */
export type SharingPatch = z.input<typeof sharingPatchSchema>;
