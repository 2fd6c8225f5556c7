import { coreDbOf, type ObjectRules } from '../engine/engine-state.js';
import { RapportError, validationError } from '../errors/rapport-error.js';
import { convertedDealOf } from './converted-status.js';

function dateOrder(object: string, startField: string, endField: string): ObjectRules {
  return {
    async prepare(_state, values) {
      const start = values[startField];
      const end = values[endField];
      if (typeof start === 'string' && typeof end === 'string' && end < start) {
        throw validationError(
          object,
          [endField],
          `must not be before ${startField} (${start})`,
          'date_order',
        );
      }
      return values;
    },
  };
}

/** @internal Campaign rules: the end is not before the start. */
export const campaignRules = dateOrder('campaign', 'startDate', 'endDate');

/** @internal Contract rules: the end is not before the start. */
export const contractRules = dateOrder('contract', 'startDate', 'endDate');

/** @internal Quota rules: for exactly one user or team; the period is ordered. */
export const quotaRules: ObjectRules = {
  async prepare(state, values, previous) {
    const hasOwner = values.ownerId != null;
    const hasTeam = values.teamId != null;
    if (hasOwner === hasTeam) {
      throw validationError(
        'quota',
        ['ownerId'],
        'give exactly one of ownerId and teamId',
        'owner_or_team',
      );
    }
    return (
      (await dateOrder('quota', 'periodStart', 'periodEnd').prepare?.(state, values, previous)) ??
      values
    );
  },
};

// A person's own data on a lead, which rectification and erasure (GDPR Art. 16, 17) must reach.
// The job title is not among them: without the name it identifies no one, and it stays frozen.
const personalLeadFields: ReadonlySet<string> = new Set([
  'firstName',
  'lastName',
  'email',
  'phone',
]);

/**
 * @internal Lead rules: conversion happens through `leads.convert`; converted leads are frozen,
 * except that an admin may still change the person's own fields (rectification, erasure).
 */
export const leadRules: ObjectRules = {
  async prepare(state, values, previous) {
    const changed = previous
      ? Object.keys(values).filter((field) => values[field] !== previous[field])
      : [];
    const personalOnly =
      state.actor.role === 'admin' &&
      changed.length > 0 &&
      changed.every((field) => personalLeadFields.has(field));
    if (previous?.convertedAt != null && !personalOnly) {
      throw new RapportError(
        'CONFLICT',
        `lead ${previous.id} is converted and can no longer change`,
        {
          object: 'lead',
          id: previous.id,
        },
      );
    }
    if (values.status === 'Closed - Converted' && values.convertedAt == null) {
      throw validationError(
        'lead',
        ['status'],
        'is set by leads.convert, not directly',
        'use_convert',
      );
    }
    // What the lead keeps of its converted deal, in the same write (read only when the link moves).
    const linked = values.convertedOpportunityId ?? null;
    if (previous && linked === (previous.convertedOpportunityId ?? null)) return values;
    if (!previous && linked === null && values.convertedOpportunityStatus == null) return values;
    return { ...values, ...(await convertedDealOf(state, linked)) };
  },
};

/** @internal User rules: no one manages themselves, directly or through a chain. */
export const userRules: ObjectRules = {
  async prepare(state, values, previous) {
    const selfId = previous?.id;
    // Cast: the user schema typed managerId as an optional nullable id.
    let managerId = values.managerId as string | null | undefined;
    if (!selfId || managerId == null || managerId === previous?.managerId) return values;
    for (let depth = 0; managerId != null && depth < 1000; depth++) {
      if (managerId === selfId) {
        throw validationError(
          'user',
          ['managerId'],
          'would make a cycle in the management chain',
          'manager_cycle',
        );
      }
      const row = await coreDbOf(state)
        .selectFrom('users')
        .select('managerId')
        .where('tenantId', '=', state.tenantId)
        .where('id', '=', managerId)
        .executeTakeFirst();
      managerId = row?.managerId;
    }
    return values;
  },
};
