import { defaultPipelineStages } from '@rapport/core';
import { activity } from './activity-row.js';
import { at } from './at.js';
import { isoDay, isoTime } from './calendar.js';
import { leadSourceProfiles, lostReasons, meanDaysInStage } from './catalog.js';
import type {
  GeneratedActivity,
  GeneratedOpportunity,
  GeneratedStageHistory,
} from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import { createRandom, entitySeed } from './prng.js';
import {
  base,
  campaignId,
  companyName,
  oppId,
  quarterIndex,
  repIndex,
  seasonalDay,
  sourceDealShares,
} from './row-helpers.js';

const openStages = defaultPipelineStages.filter((stage) => stage.status === 'open');
const wonStage = at(
  defaultPipelineStages.filter((stage) => stage.status === 'won'),
  0,
);
const lostStage = at(
  defaultPipelineStages.filter((stage) => stage.status === 'lost'),
  0,
);

/** @internal An opportunity with its stage history and activities. */
export interface OpportunityRows {
  readonly opportunity: GeneratedOpportunity;
  readonly history: GeneratedStageHistory[];
  readonly activities: GeneratedActivity[];
}

/** @internal Generated opportunity `i`: its stages walked from open to won, lost or still open. */
export function opportunityRows(plan: Plan, i: number): OpportunityRows {
  const random = createRandom(entitySeed(plan.seed, 'opportunity', i));
  const id = oppId(plan, i);
  const r = repIndex(plan, random);
  const skill = at(plan.repSkills, r);
  const ownerId = at(plan.repIds, r);
  const s = leadSourceProfiles.indexOf(random.weighted(leadSourceProfiles, sourceDealShares));
  const source = at(leadSourceProfiles, s);
  const a = Math.floor(random.next() * plan.accountIds.length);
  const product = random.pick(plan.products);
  const quantity = Math.max(1, Math.round(random.logNormal(2, 0.7)));
  const amount = Math.round((product.listPrice * quantity * (0.8 + 0.3 * skill)) / 100) * 100;
  const openDay = seasonalDay(plan, random);
  // Advancing from stage to stage depends on the rep and the source; 8 stages compound it.
  const advance = Math.min(0.97, 0.875 * (skill * source.quality) ** 0.3);
  const expectedClose = openDay + Math.round(meanDaysInStage.reduce((x, y) => x + y, 0) / skill);
  const history: GeneratedStageHistory[] = [];
  const campaign =
    source.costPerLead > 0 && random.chance(0.7)
      ? campaignId(plan, s, quarterIndex(plan, openDay))
      : null;

  let stageIndex = 0;
  let day = openDay;
  let stage: (typeof defaultPipelineStages)[number] = at(openStages, 0);
  let closeDay = expectedClose;
  let lostReason: string | null = null;
  const record = (next: (typeof defaultPipelineStages)[number], atDay: number, close: number) => {
    const previous = history[history.length - 1];
    history.push({
      opportunityId: id,
      stage: next.name,
      previousStage: previous?.stage ?? null,
      status: next.status,
      amount,
      previousAmount: previous ? amount : null,
      currency: plan.currency,
      probability: next.probability,
      previousProbability: previous?.probability ?? null,
      forecastCategory: next.forecastCategory,
      closeDate: isoDay(close),
      previousCloseDate: previous?.closeDate ?? null,
      ...base(plan, `${id}-h${history.length}`, isoTime(atDay, (9 + random.next() * 8) * 3600)),
    });
    stage = next;
  };
  record(stage, day, expectedClose);
  for (;;) {
    const dwell = Math.max(
      1,
      Math.round(random.exponential(meanDaysInStage[stageIndex] ?? 8) / skill),
    );
    const nextDay = day + dwell;
    if (nextDay > plan.today) break;
    day = nextDay;
    if (!random.chance(advance)) {
      lostReason = random.pick(stageIndex < 4 ? lostReasons.early : lostReasons.late);
      closeDay = day;
      record(lostStage, day, day);
      break;
    }
    // Some deals skip a stage, as real ones do.
    stageIndex += random.chance(0.15) ? 2 : 1;
    if (stageIndex >= openStages.length) {
      closeDay = day;
      record(wonStage, day, day);
      break;
    }
    record(at(openStages, stageIndex), day, expectedClose);
  }
  if (stage.status === 'open' && closeDay < plan.today) closeDay = plan.today + random.int(7, 60);

  const activities: GeneratedActivity[] = [];
  const activityCount = 1 + Math.floor(history.length * 1.5 * skill * random.next());
  const lastDay = Math.min(stage.status === 'open' ? plan.today + 14 : closeDay, plan.today + 14);
  for (let k = 0; k < activityCount; k++) {
    const atDay = openDay + Math.floor(random.next() * Math.max(1, lastDay - openDay));
    activities.push(
      activity(plan, random, `${id}-a${k}`, atDay, ownerId, {
        leadId: null,
        accountId: at(plan.accountIds, a),
        opportunityId: id,
      }),
    );
  }
  const first = at(history, 0);
  const last = at(history, history.length - 1);
  return {
    opportunity: {
      name: `${companyName(plan, a)} - ${product.name}`,
      accountId: at(plan.accountIds, a),
      ownerId,
      pipelineId: plan.pipelineId,
      stage: stage.name,
      status: stage.status,
      amount,
      currency: plan.currency,
      probability: stage.probability,
      forecastCategory: stage.forecastCategory,
      openDate: isoDay(openDay),
      closeDate: isoDay(closeDay),
      type: random.chance(0.7) ? 'New Business' : 'Existing Business',
      leadSource: source.name,
      campaignId: campaign,
      nextStep: stage.status === 'open' ? 'Follow up' : null,
      lostReason,
      description: null,
      ...base(plan, id, first.createdAt, last.createdAt, history.length),
    },
    history,
    activities,
  };
}
