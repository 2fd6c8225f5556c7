/** The dashboard's languages. */
export type Lang = 'en' | 'de';

const strings = {
  en: {
    views: {
      kpis: 'KPIs',
      board: 'Pipeline',
      leads: 'Leads',
      risk: 'At risk',
      forecast: 'Forecast',
    } as Record<string, string>,
    team: 'Team',
    allTeams: 'All teams',
    navigation: 'Views',
    dataThrough: 'Closed deals up to',
    title: 'Sales KPIs',
    period: 'Period',
    owner: 'Sales rep',
    product: 'Product',
    everyone: 'Everyone',
    allProducts: 'All products',
    language: 'Language',
    loading: 'Loading…',
    noData: 'No data',
    previous: 'vs.',
    sample: 'n',
    interval: '95% CI',
    unfiltered: 'not filtered by',
    groups: {
      leads: 'Lead generation',
      pipeline: 'Pipeline',
      closing: 'Closing',
      aftersales: 'Aftersales',
    } as Record<string, string>,
    notYet: 'This KPI group is not installed yet.',
    leadsBySource: 'Leads and cost per lead by source',
    pipelineByStage: 'Pipeline by stage, with weighted value',
    winRateByOwner: 'Win rate by rep (95% interval)',
    winRateByProduct: 'Win rate by product (95% interval)',
    retentionOverTime: 'Churn and retention, month by month',
    breakdownOf: 'by',
    unrealistic: 'Unrealistic deals',
    unrealisticNone: 'No unrealistic deals.',
    keyPrompt: 'Paste the API key that rapport serve printed:',
    keySave: 'Open dashboard',
    keyInvalid: 'This key was not accepted.',
    periods: {
      thisMonth: 'This month',
      lastMonth: 'Last month',
      thisQuarter: 'This quarter',
      lastQuarter: 'Last quarter',
      thisYear: 'This year',
      lastYear: 'Last year',
      all: 'All time',
    } as Record<string, string>,
    columns: {
      name: 'Deal',
      ownerName: 'Sales rep',
      owner: 'Sales rep',
      stage: 'Stage',
      closeDate: 'Close date',
      amount: 'Amount',
      nextStep: 'Next step',
      reasons: 'Why',
      reason: 'Why',
      lastActivityAt: 'Last activity',
      issues: 'Why',
    } as Record<string, string>,
    issues: {
      pastCloseDate: 'Close date passed',
      noNextStep: 'No next step',
      noRecentActivity: 'No recent activity',
    } as Record<string, string>,
    other: 'Other',
    none: '(none)',
  },
  de: {
    views: {
      kpis: 'Kennzahlen',
      board: 'Pipeline',
      leads: 'Leads',
      risk: 'Gefährdet',
      forecast: 'Prognose',
    } as Record<string, string>,
    team: 'Team',
    allTeams: 'Alle Teams',
    navigation: 'Ansichten',
    dataThrough: 'Abschlüsse bis',
    title: 'Vertriebs-KPIs',
    period: 'Zeitraum',
    owner: 'Vertriebsmitarbeiter',
    product: 'Produkt',
    everyone: 'Alle',
    allProducts: 'Alle Produkte',
    language: 'Sprache',
    loading: 'Lädt…',
    noData: 'Keine Daten',
    previous: 'ggü.',
    sample: 'n',
    interval: '95-%-KI',
    unfiltered: 'nicht gefiltert nach',
    groups: {
      leads: 'Leadgenerierung',
      pipeline: 'Pipeline',
      closing: 'Abschluss',
      aftersales: 'Aftersales',
    } as Record<string, string>,
    notYet: 'Diese KPI-Gruppe ist noch nicht installiert.',
    leadsBySource: 'Leads und Kosten pro Lead nach Quelle',
    pipelineByStage: 'Pipeline nach Phase, mit gewichtetem Wert',
    winRateByOwner: 'Gewinnquote nach Vertriebsmitarbeiter (95-%-Intervall)',
    winRateByProduct: 'Gewinnquote nach Produkt (95-%-Intervall)',
    retentionOverTime: 'Abwanderung und Kundenbindung pro Monat',
    breakdownOf: 'nach',
    unrealistic: 'Unrealistische Deals',
    unrealisticNone: 'Keine unrealistischen Deals.',
    keyPrompt: 'API-Schlüssel einfügen, den rapport serve ausgegeben hat:',
    keySave: 'Dashboard öffnen',
    keyInvalid: 'Dieser Schlüssel wurde nicht akzeptiert.',
    periods: {
      thisMonth: 'Dieser Monat',
      lastMonth: 'Letzter Monat',
      thisQuarter: 'Dieses Quartal',
      lastQuarter: 'Letztes Quartal',
      thisYear: 'Dieses Jahr',
      lastYear: 'Letztes Jahr',
      all: 'Gesamter Zeitraum',
    } as Record<string, string>,
    columns: {
      name: 'Deal',
      ownerName: 'Vertriebsmitarbeiter',
      owner: 'Vertriebsmitarbeiter',
      stage: 'Phase',
      closeDate: 'Abschlussdatum',
      amount: 'Betrag',
      nextStep: 'Nächster Schritt',
      reasons: 'Warum',
      reason: 'Warum',
      lastActivityAt: 'Letzte Aktivität',
      issues: 'Warum',
    } as Record<string, string>,
    issues: {
      pastCloseDate: 'Abschlussdatum überschritten',
      noNextStep: 'Kein nächster Schritt',
      noRecentActivity: 'Keine aktuelle Aktivität',
    } as Record<string, string>,
    other: 'Sonstige',
    none: '(keine)',
  },
} satisfies Record<Lang, unknown>;

/** The strings of a language. */
export type Strings = (typeof strings)['en'];

/** The strings of `lang`. */
export function t(lang: Lang): Strings {
  return strings[lang];
}

/** The language to start in: the saved one, else the browser's. */
export function initialLang(): Lang {
  const saved = localStorage.getItem('rapport.lang');
  if (saved === 'de' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** The locale of a language for Intl. */
export function localeOf(lang: Lang): string {
  return lang === 'de' ? 'de-DE' : 'en-US';
}
