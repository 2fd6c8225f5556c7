import { type DealContext, typicalRemaining } from '../deals/deal-context.js';
import type { DayNumber } from '../deals/deal-timeline.js';
import type { ForecastDeal } from '../forecast/pipeline-forecast.js';
import type { ExplanationLanguage } from '../leads/lead-explain.js';

/** Why a deal's plan looks unrealistic, with the figure behind it. */
export type DealRisk =
  | { readonly kind: 'closeDateSlipped'; readonly slips: number }
  | {
      readonly kind: 'longInStage';
      readonly stage: string;
      readonly days: number;
      readonly wonMedian: number;
    }
  | { readonly kind: 'amountAboveOwner'; readonly amount: number; readonly ownerMedian: number }
  | { readonly kind: 'noActivity'; readonly days: number }
  | { readonly kind: 'closeTooSoon'; readonly daysLeft: number; readonly typicalRemaining: number };

/** Thresholds of {@link dealRisks}. */
export interface RiskThresholds {
  /** Close date moved out at least this often; default 2. */
  readonly slips?: number;
  /** In the stage this many times the won deals' median; default 2. */
  readonly stageFactor?: number;
  /** Amount this many times the owner's median won deal; default 3. */
  readonly amountFactor?: number;
  /** No activity for this many days; default 30. */
  readonly silentDays?: number;
}

/**
 * The reasons an open deal's plan looks unrealistic, each with its figure: the close date moved
 * out N times; in its stage far longer than won deals were; amount far above the owner's won
 * deals; no activity for N days; a close date sooner than won deals of its age still needed.
 *
 * @example
 * // run: what the forecast computed (its deals, their context, its day)
 * const risks = dealRisks(run.deals[0], run.context, run.asOf);
 */
export function dealRisks(
  deal: ForecastDeal,
  context: DealContext,
  day: DayNumber,
  thresholds: RiskThresholds = {},
): DealRisk[] {
  const risks: DealRisk[] = [];
  const { state } = deal;
  if (state.slips >= (thresholds.slips ?? 2))
    risks.push({ kind: 'closeDateSlipped', slips: state.slips });
  const wonMedian = context.wonStageDays.get(state.stage);
  const inStage = day - state.stageSince;
  if (
    wonMedian !== undefined &&
    wonMedian > 0 &&
    inStage > (thresholds.stageFactor ?? 2) * wonMedian
  )
    risks.push({ kind: 'longInStage', stage: state.stage, days: inStage, wonMedian });
  const ownerMedian = context.ownerWonAmount.get(deal.deal.ownerId);
  if (ownerMedian && state.amount > (thresholds.amountFactor ?? 3) * ownerMedian)
    risks.push({ kind: 'amountAboveOwner', amount: state.amount, ownerMedian });
  const silent = day - (state.lastActivity ?? deal.deal.openDay);
  if (silent >= (thresholds.silentDays ?? 30)) risks.push({ kind: 'noActivity', days: silent });
  if (state.closeDay !== null && state.closeDay >= day) {
    const remaining = typicalRemaining(context, day - deal.deal.openDay);
    const daysLeft = state.closeDay - day;
    if (remaining !== null && daysLeft < remaining / 2)
      risks.push({ kind: 'closeTooSoon', daysLeft, typicalRemaining: remaining });
  }
  return risks;
}

/**
 * A risk in words, with its figures ("in Proposal for 64 days; won deals spent a median of 12").
 * `money` formats an amount in minor units.
 */
export function describeRisk(
  risk: DealRisk,
  language: ExplanationLanguage,
  money: (minor: number) => string = (minor) => (minor / 100).toFixed(0),
): string {
  const de = language === 'de';
  const n = (value: number) => Math.round(value);
  const times = (value: number) =>
    new Intl.NumberFormat(de ? 'de-DE' : 'en-US', {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(value);
  switch (risk.kind) {
    case 'closeDateSlipped':
      return de
        ? `Abschlussdatum ${risk.slips}-mal verschoben`
        : `close date moved out ${risk.slips} times`;
    case 'longInStage':
      return de
        ? `seit ${n(risk.days)} Tagen in ${risk.stage}; gewonnene Deals brauchten im Median ${n(risk.wonMedian)}`
        : `in ${risk.stage} for ${n(risk.days)} days; won deals spent a median of ${n(risk.wonMedian)}`;
    case 'amountAboveOwner':
      return de
        ? `Betrag ${money(risk.amount)} ist ${times(risk.amount / risk.ownerMedian)}-mal der Median der gewonnenen Deals des Verantwortlichen (${money(risk.ownerMedian)})`
        : `amount ${money(risk.amount)} is ${times(risk.amount / risk.ownerMedian)} times the owner's median won deal (${money(risk.ownerMedian)})`;
    case 'noActivity':
      return de
        ? `seit ${n(risk.days)} Tagen keine Aktivität`
        : `no activity for ${n(risk.days)} days`;
    case 'closeTooSoon':
      return de
        ? `Abschluss in ${n(risk.daysLeft)} Tagen; gewonnene Deals dieses Alters brauchten im Median noch ${n(risk.typicalRemaining)}`
        : `closes in ${n(risk.daysLeft)} days; won deals of this age needed a median of ${n(risk.typicalRemaining)} more`;
  }
}
