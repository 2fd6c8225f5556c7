import { isoTime } from './calendar.js';
import type { GeneratedActivity } from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import type { Random } from './prng.js';
import { base } from './row-helpers.js';

const activityTypes = ['call', 'email', 'meeting', 'task'] as const;
const activityWeights = [4, 5, 2, 2];

/** @internal An activity on `day` for `ownerId`, done if the day has passed (mostly). */
export function activity(
  plan: Plan,
  random: Random,
  id: string,
  day: number,
  ownerId: string,
  links: Pick<GeneratedActivity, 'leadId' | 'accountId' | 'opportunityId'>,
): GeneratedActivity {
  const type = random.weighted(activityTypes, activityWeights);
  const at = isoTime(day, (8 + random.next() * 10) * 3600);
  const done = day <= plan.today && random.chance(0.9);
  return {
    type,
    subject: `${type.charAt(0).toUpperCase()}${type.slice(1)}`,
    ownerId,
    contactId: null,
    dueAt: at,
    completedAt: done ? at : null,
    description: null,
    ...links,
    ...base(
      plan,
      id,
      isoTime(day - 2, 9 * 3600),
      done ? at : isoTime(day - 2, 9 * 3600),
      done ? 2 : 1,
    ),
  };
}
