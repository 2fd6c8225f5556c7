/** A language the workspace speaks. */
export type WorkspaceLang = 'en' | 'de';

const en = {
  loading: 'Loading…',
  retry: 'Try again',
  stale: 'Offline: showing the data last loaded',
  board: 'Pipeline',
  stage: 'Stage',
  deals: 'deals',
  value: 'Value',
  weighted: 'Weighted',
  owner: 'Sales rep',
  closeDate: 'Close date',
  amount: 'Amount',
  moveTo: 'Move to…',
  moveDeal: 'Move deal',
  closeWon: 'Close as won',
  closeLost: 'Close as lost',
  closeDeal: 'Close deal',
  closeZone: 'Drop here to close',
  won: 'Won',
  lost: 'Lost',
  lostReason: 'Lost reason',
  cancel: 'Cancel',
  confirm: 'Confirm',
  open: 'Open',
  more: 'more',
  emptyBoard: 'No open deals in this pipeline. Create one or convert a lead.',
  conflict:
    'Someone changed this deal meanwhile; this is the newer version. Your change was not saved.',
  risk: 'At risk',
  riskReasons: {
    noNextStep: 'no next step',
    pastCloseDate: 'close date passed',
    closeDatePassed: 'close date passed',
    noRecentActivity: 'no recent activity',
    stale: 'no recent activity',
    idle: 'no recent activity',
  } as Record<string, string>,
  drawerTitle: 'Deal',
  name: 'Name',
  nextStep: 'Next step',
  probability: 'Probability (%)',
  save: 'Save',
  saved: 'Saved',
  close: 'Close',
  lineItems: 'Line items',
  quantity: 'Qty',
  unitPrice: 'Unit price',
  lineItem: 'Line item',
  noLineItems: 'No line items yet. Add a product below; the amount becomes their sum.',
  addLineItem: 'Add a line item',
  product: 'Product',
  chooseProduct: 'Choose a product…',
  listPrice: 'list price',
  discount: 'Discount (%)',
  add: 'Add',
  remove: 'Remove',
  conflictItem:
    'Someone changed this line item meanwhile; these are the items as they are now. Your change was not saved.',
  cardHint:
    'Left and right arrow keys move the deal to the previous or next stage; Enter opens it.',
  movedTo: (deal: string, stage: string, position: number, count: number) =>
    `${deal} moved to stage ${stage} (${position} of ${count}).`,
  closedAs: (deal: string, outcome: string) => `${deal} closed: ${outcome}.`,
  moveConflict: (deal: string, stage: string) =>
    `${deal} was changed meanwhile and is in stage ${stage}; not moved.`,
  withReports: (count: number) => `with ${count} ${count === 1 ? 'report' : 'reports'}`,
  teamRollup: 'team',
  ownDeals: 'own',
  stageHistory: 'Stage history',
  activities: 'Activities',
  logActivity: 'Log an activity',
  activityType: 'Type',
  subject: 'Subject',
  log: 'Log',
  call: 'Call',
  meeting: 'Meeting',
  email: 'Email',
  task: 'Task',
  none: 'None yet.',
  leads: 'Leads',
  company: 'Company',
  status: 'Status',
  source: 'Source',
  created: 'Created',
  allStatuses: 'All statuses',
  allSources: 'All sources',
  convert: 'Convert',
  converted: 'Converted',
  emptyLeads: 'No leads match these filters. Clear a filter or import leads (rapport import).',
  sortBy: 'Sort by',
  atRisk: 'At-risk deals',
  reasons: 'Reasons',
  emptyAtRisk: 'No deal is at risk. Keep next steps and close dates current.',
  previous: 'Previous',
  next: 'Next',
  page: 'Page',
  of: 'of',
  forecast: 'Forecast and plan',
  wonSoFar: 'Won so far',
  openPipeline: 'Open pipeline',
  weightedPipeline: 'Weighted pipeline',
  quota: 'Quota',
  attainment: 'Quota attainment',
  coverage: 'Pipeline coverage',
  team: 'Team',
  total: 'Total',
  emptyForecast: 'No figures for this period. Choose another period.',
  forecastNote: 'Weighted pipeline and coverage (the forecast needs the predict plugin).',
  score: 'Score',
  scoreWhy: 'Why',
  sourceRate: (low: string, high: string) => `source rate, ${low}–${high}`,
  sourceRateWhy: 'Too little history for a model: the conversion rate of the lead source.',
  notScored: 'not scored yet (rapport score leads)',
  closedNotScored: 'closed leads are not scored',
  forecastP50: 'Forecast (P50)',
  forecastRange: (p10: string, p90: string) => `range ${p10} – ${p90}`,
  rangeLabel: 'P10–P90',
  quotaChance: 'Chance of reaching quota',
  quotaAtRisk: 'Quota at risk',
  onTrack: 'on track',
  noPrediction: 'no forecast for this period',
  rollupNoForecast: 'no forecast for this team',
  forecastModelNote:
    'Forecast: won so far plus a simulation of the open deals with their learned win probabilities; 8 in 10 outcomes fall inside P10–P90. Weighted pipeline and coverage for comparison.',
  independentNote: 'Too little history for the spread between periods: the range is too narrow.',
  winChance: 'Win probability',
  stageDefault: 'stage default',
  learned: 'learned from past deals',
  stageDefaultOnly: 'too little history: the stage default',
  errors: {
    NETWORK: 'The server cannot be reached. Check the connection.',
    UNAUTHORIZED: 'The API key is not valid (any more).',
    FORBIDDEN: 'You may not do this.',
    NOT_FOUND: 'Not found; it may have been deleted.',
    VALIDATION: 'Some values are not valid; see the fields.',
    CONFLICT: 'Someone changed this meanwhile.',
    PRECONDITION_FAILED: 'Someone changed this meanwhile.',
    RATE_LIMITED: 'Too many requests; wait a moment.',
    other: 'Something went wrong on the server.',
  } as Record<string, string>,
};

/** The strings of the workspace, one set per language. */
export type WorkspaceStrings = typeof en;

const de: WorkspaceStrings = {
  loading: 'Wird geladen …',
  retry: 'Erneut versuchen',
  stale: 'Offline: zuletzt geladene Daten',
  board: 'Pipeline',
  stage: 'Phase',
  deals: 'Verkaufschancen',
  value: 'Wert',
  weighted: 'Gewichtet',
  owner: 'Vertriebsmitarbeiter',
  closeDate: 'Abschlussdatum',
  amount: 'Betrag',
  moveTo: 'Verschieben nach …',
  moveDeal: 'Verkaufschance verschieben',
  closeWon: 'Als gewonnen abschließen',
  closeLost: 'Als verloren abschließen',
  closeDeal: 'Verkaufschance abschließen',
  closeZone: 'Hier ablegen zum Abschließen',
  won: 'Gewonnen',
  lost: 'Verloren',
  lostReason: 'Verlustgrund',
  cancel: 'Abbrechen',
  confirm: 'Bestätigen',
  open: 'Öffnen',
  more: 'weitere',
  emptyBoard:
    'Keine offenen Verkaufschancen in dieser Pipeline. Legen Sie eine an oder konvertieren Sie einen Lead.',
  conflict:
    'Jemand hat diese Verkaufschance inzwischen geändert; hier ist die neuere Fassung. Ihre Änderung wurde nicht gespeichert.',
  risk: 'Gefährdet',
  riskReasons: {
    noNextStep: 'kein nächster Schritt',
    pastCloseDate: 'Abschlussdatum überschritten',
    closeDatePassed: 'Abschlussdatum überschritten',
    noRecentActivity: 'keine Aktivität in letzter Zeit',
    stale: 'keine Aktivität in letzter Zeit',
    idle: 'keine Aktivität in letzter Zeit',
  },
  drawerTitle: 'Verkaufschance',
  name: 'Name',
  nextStep: 'Nächster Schritt',
  probability: 'Wahrscheinlichkeit (%)',
  save: 'Speichern',
  saved: 'Gespeichert',
  close: 'Schließen',
  lineItems: 'Positionen',
  quantity: 'Menge',
  unitPrice: 'Stückpreis',
  lineItem: 'Position',
  noLineItems:
    'Noch keine Positionen. Fügen Sie unten ein Produkt hinzu; der Betrag wird ihre Summe.',
  addLineItem: 'Position hinzufügen',
  product: 'Produkt',
  chooseProduct: 'Produkt wählen …',
  listPrice: 'Listenpreis',
  discount: 'Rabatt (%)',
  add: 'Hinzufügen',
  remove: 'Entfernen',
  conflictItem:
    'Jemand hat diese Position inzwischen geändert; hier sind die aktuellen Positionen. Ihre Änderung wurde nicht gespeichert.',
  cardHint:
    'Mit den Pfeiltasten links und rechts wandert die Verkaufschance in die vorige oder nächste Phase; Eingabe öffnet sie.',
  movedTo: (deal: string, stage: string, position: number, count: number) =>
    `${deal} in Phase ${stage} verschoben (${position} von ${count}).`,
  closedAs: (deal: string, outcome: string) => `${deal} abgeschlossen: ${outcome}.`,
  moveConflict: (deal: string, stage: string) =>
    `${deal} wurde inzwischen geändert und steht in Phase ${stage}; nicht verschoben.`,
  withReports: (count: number) => `mit ${count} ${count === 1 ? 'Mitarbeiter' : 'Mitarbeitern'}`,
  teamRollup: 'Team',
  ownDeals: 'eigene',
  stageHistory: 'Phasenverlauf',
  activities: 'Aktivitäten',
  logActivity: 'Aktivität erfassen',
  activityType: 'Art',
  subject: 'Betreff',
  log: 'Erfassen',
  call: 'Anruf',
  meeting: 'Termin',
  email: 'E-Mail',
  task: 'Aufgabe',
  none: 'Noch keine.',
  leads: 'Leads',
  company: 'Firma',
  status: 'Status',
  source: 'Quelle',
  created: 'Angelegt',
  allStatuses: 'Alle Status',
  allSources: 'Alle Quellen',
  convert: 'Konvertieren',
  converted: 'Konvertiert',
  emptyLeads:
    'Keine Leads zu diesen Filtern. Entfernen Sie einen Filter oder importieren Sie Leads (rapport import).',
  sortBy: 'Sortieren nach',
  atRisk: 'Gefährdete Verkaufschancen',
  reasons: 'Gründe',
  emptyAtRisk:
    'Keine Verkaufschance ist gefährdet. Halten Sie nächste Schritte und Abschlussdaten aktuell.',
  previous: 'Zurück',
  next: 'Weiter',
  page: 'Seite',
  of: 'von',
  forecast: 'Prognose und Plan',
  wonSoFar: 'Bisher gewonnen',
  openPipeline: 'Offene Pipeline',
  weightedPipeline: 'Gewichtete Pipeline',
  quota: 'Vertriebsziel',
  attainment: 'Zielerreichung',
  coverage: 'Pipeline-Abdeckung',
  team: 'Team',
  total: 'Gesamt',
  emptyForecast: 'Keine Zahlen für diesen Zeitraum. Wählen Sie einen anderen Zeitraum.',
  forecastNote: 'Gewichtete Pipeline und Abdeckung (die Prognose braucht das Predict-Plugin).',
  score: 'Lead-Score',
  scoreWhy: 'Warum',
  sourceRate: (low: string, high: string) => `Quote der Quelle, ${low}–${high}`,
  sourceRateWhy: 'Zu wenig Historie für ein Modell: die Lead-zu-Kunden-Quote der Lead-Quelle.',
  notScored: 'noch nicht bewertet (rapport score leads)',
  closedNotScored: 'abgeschlossene Leads werden nicht bewertet',
  forecastP50: 'Prognose (P50)',
  forecastRange: (p10: string, p90: string) => `Spanne ${p10} – ${p90}`,
  rangeLabel: 'P10–P90',
  quotaChance: 'Chance auf Zielerreichung',
  quotaAtRisk: 'Vertriebsziel gefährdet',
  onTrack: 'im Plan',
  noPrediction: 'keine Prognose für diesen Zeitraum',
  rollupNoForecast: 'keine Prognose für dieses Team',
  forecastModelNote:
    'Prognose: bisher gewonnen plus eine Simulation der offenen Verkaufschancen mit ihren gelernten Gewinnwahrscheinlichkeiten; 8 von 10 Ergebnissen liegen zwischen P10 und P90. Gewichtete Pipeline und Abdeckung zum Vergleich.',
  independentNote:
    'Zu wenig Historie für die Schwankung zwischen Zeiträumen: die Spanne ist zu eng.',
  winChance: 'Gewinnchance',
  stageDefault: 'Standard der Phase',
  learned: 'aus früheren Verkaufschancen gelernt',
  stageDefaultOnly: 'zu wenig Historie: der Standard der Phase',
  errors: {
    NETWORK: 'Der Server ist nicht erreichbar. Prüfen Sie die Verbindung.',
    UNAUTHORIZED: 'Der API-Schlüssel ist nicht (mehr) gültig.',
    FORBIDDEN: 'Dazu fehlt Ihnen die Berechtigung.',
    NOT_FOUND: 'Nicht gefunden; vielleicht wurde es gelöscht.',
    VALIDATION: 'Einige Werte sind ungültig; siehe die Felder.',
    CONFLICT: 'Jemand hat dies inzwischen geändert.',
    PRECONDITION_FAILED: 'Jemand hat dies inzwischen geändert.',
    RATE_LIMITED: 'Zu viele Anfragen; bitte kurz warten.',
    other: 'Auf dem Server ist ein Fehler aufgetreten.',
  },
};

/**
 * The strings of a language.
 *
 * @example
 * stringsOf('de').stage; // 'Phase'
 */
export function stringsOf(lang: WorkspaceLang): WorkspaceStrings {
  return lang === 'de' ? de : en;
}

/** The BCP 47 locale of a language: de-DE, en-US. */
export function localeOf(lang: WorkspaceLang): string {
  return lang === 'de' ? 'de-DE' : 'en-US';
}

const digits = new Map<string, number>();

function minorDigits(currency: string): number {
  let found = digits.get(currency);
  if (found === undefined) {
    found =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digits.set(currency, found);
  }
  return found;
}

/** Minor units (what the API stores) as major units: 339300 EUR cents → 3393. */
export function toMajor(amount: number, currency: string): number {
  return amount / 10 ** minorDigits(currency);
}

/** Major units typed by a person as the API's minor units (rounded). */
export function toMinor(major: number, currency: string): number {
  return Math.round(major * 10 ** minorDigits(currency));
}

/**
 * An amount in minor units for people: `€3,393`, `3.393 €`; `–` without an amount.
 *
 * @example
 * formatMoney(339300, 'EUR', 'de'); // '3.393 €'
 */
export function formatMoney(
  amount: number | null | undefined,
  currency: string,
  lang: WorkspaceLang,
): string {
  if (amount === null || amount === undefined) return '–';
  const major = toMajor(amount, currency);
  return new Intl.NumberFormat(localeOf(lang), {
    style: 'currency',
    currency,
    maximumFractionDigits: Math.abs(major) >= 1000 ? 0 : 2,
  }).format(major);
}

/**
 * A day (`2018-03-31`) per locale: `31.03.2018` in German, `Mar 31, 2018` in English.
 *
 * @example
 * formatDay('2018-03-31', 'de'); // '31.03.2018'
 */
export function formatDay(day: string | null | undefined, lang: WorkspaceLang): string {
  if (!day) return '–';
  // Cast: a day is YYYY-MM-DD, three numbers.
  const [year, month, date] = day.slice(0, 10).split('-').map(Number) as [number, number, number];
  const value = new Date(Date.UTC(year, month - 1, date));
  return new Intl.DateTimeFormat(
    localeOf(lang),
    lang === 'de'
      ? { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' },
  ).format(value);
}

/**
 * A month (`2017-01`) per locale: `Jan. 2017` in German, `Jan 2017` in English.
 *
 * @example
 * formatMonth('2017-01', 'de'); // 'Jan. 2017'
 */
export function formatMonth(month: string, lang: WorkspaceLang): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(localeOf(lang), {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, m - 1, 1)));
}

/** A ratio as a percentage per locale; `–` without a value. */
export function formatPercent(value: number | null | undefined, lang: WorkspaceLang): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(localeOf(lang), {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(value);
}

/** A problem code as a sentence in the language. */
export function problemMessage(code: string, lang: WorkspaceLang): string {
  const errors = stringsOf(lang).errors;
  return errors[code] ?? errors.other ?? code;
}

const germanIssues: Record<string, string> = {
  too_small: 'Der Wert ist zu klein oder leer.',
  too_big: 'Der Wert ist zu groß oder zu lang.',
  invalid_type: 'Der Wert hat nicht die erwartete Art.',
  invalid_format: 'Das Format stimmt nicht.',
  invalid_value: 'Dieser Wert ist nicht erlaubt.',
  required: 'Pflichtfeld.',
};

/**
 * A field issue of the API for people: in German by its code (the server speaks English), in
 * English as the server says it.
 *
 * @example
 * issueMessage({ code: 'too_small', message: 'Too small: expected number to be >=0' }, 'de'); // 'Der Wert ist zu klein oder leer.'
 */
export function issueMessage(
  issue: { readonly code: string; readonly message: string },
  lang: WorkspaceLang,
): string {
  return lang === 'de' ? (germanIssues[issue.code] ?? issue.message) : issue.message;
}

const germanReasons: Record<string, string> = {
  'quota already met': 'Vertriebsziel bereits erreicht',
  'no quota': 'kein Vertriebsziel',
  'no quota in the period': 'kein Vertriebsziel im Zeitraum',
  'no data': 'keine Daten',
  'no closed opportunities': 'keine abgeschlossenen Verkaufschancen',
  'no won opportunities': 'keine gewonnenen Verkaufschancen',
  'no stage entries': 'keine Phasenwechsel',
  'no sales cycle': 'kein Verkaufszyklus',
  'no leads created in the period': 'keine neuen Leads im Zeitraum',
  'no leads with a campaign': 'keine Leads aus Kampagnen',
  'no lead with a completed activity': 'kein Lead mit erledigter Aktivität',
  'no customers at the start of the period': 'keine Kunden zu Beginn des Zeitraums',
  'no customers with an active contract': 'keine Kunden mit laufendem Vertrag',
  'needs a period with a start and an end': 'braucht einen Zeitraum mit Anfang und Ende',
};

/**
 * Why a KPI has no value, in the language (the engine says it in English; unknown reasons stay
 * as they are).
 *
 * @example
 * kpiReason('quota already met', 'de'); // 'Vertriebsziel bereits erreicht'
 */
export function kpiReason(reason: string | null, lang: WorkspaceLang): string {
  if (reason === null) return '';
  return lang === 'de' ? (germanReasons[reason] ?? reason) : reason;
}
