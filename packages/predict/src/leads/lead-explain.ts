import type { ScoreFactor } from '../models/binary-model.js';

/** Languages explanations are written in. */
export type ExplanationLanguage = 'en' | 'de';

const labels: Readonly<Record<string, { readonly en: string; readonly de: string }>> = {
  leadSource: { en: 'Lead source', de: 'Lead-Quelle' },
  campaign: { en: 'Campaign', de: 'Kampagne' },
  rating: { en: 'Rating', de: 'Bewertung' },
  title: { en: 'Job title', de: 'Position' },
  hasEmail: { en: 'Email given', de: 'E-Mail angegeben' },
  hasPhone: { en: 'Phone given', de: 'Telefon angegeben' },
  activities: { en: 'Activities in the first days', de: 'Aktivitäten in den ersten Tagen' },
  daysToFirstTouch: { en: 'Days to first contact', de: 'Tage bis zum ersten Kontakt' },
  daysSinceLastTouch: { en: 'Days since last contact', de: 'Tage seit dem letzten Kontakt' },
  stage: { en: 'Stage', de: 'Phase' },
  daysInStage: { en: 'Days in stage', de: 'Tage in der Phase' },
  age: { en: 'Days since the deal opened', de: 'Tage seit Eröffnung des Deals' },
  stageAgeRatio: {
    en: 'Time in stage against won deals',
    de: 'Zeit in der Phase im Vergleich zu gewonnenen Deals',
  },
  daysToClose: { en: 'Days to close date', de: 'Tage bis zum Abschlussdatum' },
  amountRatio: {
    en: "Amount against the owner's typical deal",
    de: 'Betrag im Vergleich zum typischen Deal des Verantwortlichen',
  },
  daysSinceActivity: { en: 'Days since last activity', de: 'Tage seit der letzten Aktivität' },
  ownerWinRate: { en: "Owner's win rate", de: 'Gewinnquote des Verantwortlichen' },
  productWinRate: { en: "Product's win rate", de: 'Gewinnquote des Produkts' },
  closeDateSlips: { en: 'Close date moved out', de: 'Abschlussdatum verschoben' },
};

const none = { en: 'none', de: 'keine Angabe' } as const;

const values: Readonly<Record<string, { readonly en: string; readonly de: string }>> = {
  yes: { en: 'yes', de: 'ja' },
  no: { en: 'no', de: 'nein' },
  '(none)': none,
  '(other)': { en: 'other', de: 'andere' },
};

/** The label of a feature in a language (custom fields by their name). */
export function featureLabel(feature: string, language: ExplanationLanguage): string {
  const label = labels[feature];
  if (label) return label[language];
  return feature.startsWith('custom.') ? feature.slice('custom.'.length) : feature;
}

function valueText(value: ScoreFactor['value'], language: ExplanationLanguage): string {
  if (value === null) return none[language];
  if (typeof value === 'number') {
    const rounded = Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
    return new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-US').format(rounded);
  }
  return values[value]?.[language] ?? value;
}

/**
 * A factor in words a sales rep reads: what the value is, which way it moved the score, and by
 * how much it multiplied the odds against an average case.
 *
 * @example
 * describeFactor({ feature: 'leadSource', value: 'Web', effect: 0.59 }, 'en');
 * // 'Lead source is Web: raises the odds ×1.8'
 */
export function describeFactor(factor: ScoreFactor, language: ExplanationLanguage): string {
  const odds = Math.exp(factor.effect);
  const multiplier = new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-US', {
    maximumFractionDigits: odds >= 10 ? 0 : 1,
    minimumFractionDigits: odds >= 10 ? 0 : 1,
  }).format(factor.effect >= 0 ? odds : 1 / odds);
  const label = featureLabel(factor.feature, language);
  const value = valueText(factor.value, language);
  // "Label: value –" rather than "Label ist value": many labels are plural ("Tage bis ...").
  if (language === 'de')
    return `${label}: ${value} – ${factor.effect >= 0 ? `erhöht die Chance ×${multiplier}` : `senkt die Chance ÷${multiplier}`}`;
  return `${label} is ${value}: ${factor.effect >= 0 ? `raises the odds ×${multiplier}` : `lowers the odds ÷${multiplier}`}`;
}
