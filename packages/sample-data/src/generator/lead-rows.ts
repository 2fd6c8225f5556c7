import { activity } from './activity-row.js';
import { at } from './at.js';
import { isoTime } from './calendar.js';
import { leadSourceProfiles, titles } from './catalog.js';
import type { GeneratedActivity, GeneratedLead } from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import { createRandom, entitySeed, type Random } from './prng.js';
import {
  base,
  campaignId,
  companyName,
  leadId,
  oppId,
  personName,
  quarterIndex,
  repIndex,
  seasonalDay,
  sourceLeadShares,
} from './row-helpers.js';

function convertedOpportunity(plan: Plan, random: Random): string | null {
  if (plan.opportunities > 0) return oppId(plan, Math.floor(random.next() * plan.opportunities));
  const existing = plan.existingOpportunityIds;
  return existing.length > 0 ? at(existing, Math.floor(random.next() * existing.length)) : null;
}

/** @internal Generated lead `j` with its touches, converted or not by its source and rep. */
export function leadRows(
  plan: Plan,
  j: number,
): { lead: GeneratedLead; activities: GeneratedActivity[] } {
  const random = createRandom(entitySeed(plan.seed, 'lead', j));
  const id = leadId(plan, j);
  const r = repIndex(plan, random);
  const ownerId = at(plan.repIds, r);
  const s = leadSourceProfiles.indexOf(random.weighted(leadSourceProfiles, sourceLeadShares));
  const source = at(leadSourceProfiles, s);
  const createdDay = seasonalDay(plan, random);
  const { first, last } = personName(random);
  const company = companyName(plan, 1_000_000 + (j % 50_000));
  const age = plan.today - createdDay;
  let status: string;
  let convertedDay: number | null = null;
  if (age < 10) status = random.chance(0.5) ? 'Open - Not Contacted' : 'Working - Contacted';
  else if (random.chance(Math.min(0.9, source.conversion * at(plan.repSkills, r)))) {
    convertedDay = createdDay + Math.min(age, 1 + Math.round(random.exponential(18)));
    status = 'Closed - Converted';
  } else status = age < 45 && random.chance(0.5) ? 'Working - Contacted' : 'Closed - Not Converted';
  const updatedDay = convertedDay ?? Math.min(plan.today, createdDay + random.int(0, 30));
  const activities: GeneratedActivity[] = [];
  const touches = status === 'Open - Not Contacted' ? 0 : random.int(1, 3);
  for (let k = 0; k < touches; k++) {
    const atDay = Math.min(
      plan.today,
      createdDay + random.int(0, Math.max(1, updatedDay - createdDay)),
    );
    activities.push(
      activity(plan, random, `${id}-a${k}`, atDay, ownerId, {
        leadId: id,
        accountId: null,
        opportunityId: null,
      }),
    );
  }
  return {
    lead: {
      lastName: last,
      firstName: first,
      company,
      email: `${first}.${last}.${j}@example.org`.toLowerCase(),
      phone: null,
      title: random.pick(titles),
      status,
      leadSource: source.name,
      campaignId:
        source.costPerLead > 0 ? campaignId(plan, s, quarterIndex(plan, createdDay)) : null,
      ownerId,
      rating: random.weighted(['Hot', 'Warm', 'Cold'], [1, 3, 4]),
      convertedAt: convertedDay === null ? null : isoTime(convertedDay, 15 * 3600),
      convertedAccountId: null,
      convertedContactId: null,
      convertedOpportunityId: convertedDay === null ? null : convertedOpportunity(plan, random),
      ...base(
        plan,
        id,
        isoTime(createdDay, (7 + random.next() * 12) * 3600),
        isoTime(updatedDay, 17 * 3600),
        convertedDay === null ? 1 : 2,
      ),
    },
    activities,
  };
}
