import type { MessageCatalogue } from './message-catalogue.js';

/**
 * German for the CLI's report, progress and result lines (stdout, and progress on stderr). The
 * keys are the English lines as the code writes them; `{name}` stands for a value.
 */
export const reportMessagesDe: MessageCatalogue = {
  // rapport demo
  'Rapport demo: {db}, tenant {tenant}, Zeitraum {period}':
    'Rapport-Demo: {db}, Mandant {tenant}, Zeitraum {period}',
  'Daten: Maven CRM sample data{rest}': 'Daten: Maven-CRM-Beispieldaten{rest}',
  'loading the Maven CRM sample data (8,800 opportunities; once)...':
    'lade die Maven-CRM-Beispieldaten (8.800 Verkaufschancen; einmalig) …',
  'generating leads, campaigns, activities, quotas and contracts...':
    'erzeuge Leads, Kampagnen, Aktivitäten, Vertriebsziele und Verträge …',
  'added {counts}': 'hinzugefügt: {counts}',
  'the generated data is already there': 'die erzeugten Daten sind schon vorhanden',
  // rapport kpi
  '{id}  {title}  [{unit}; by {dimensions}]': '{id}  {title}  [{unit}; nach {dimensions}]',
  // rapport init, migrate, copy, export, import
  'wrote {file}; edit it, then: rapport import ...':
    '{file} geschrieben; passen Sie sie an, dann: rapport import ...',
  '{db}: up to date': '{db}: aktuell',
  '{db}: applied {migrations}': '{db}: angewendet: {migrations}',
  '{rows} rows copied to {target}': '{rows} Zeilen kopiert nach {target}',
  '{count} {object} records -> {file}': '{count} {object}-Datensätze -> {file}',
  '{file} -> {object}: {rows} rows, {created} created, {updated} existing (updated where changed), {rejected} rejected{more}':
    '{file} -> {object}: {rows} Zeilen, {created} neu, {updated} vorhanden (geändert, wo nötig), {rejected} abgelehnt{more}',
  '{file}: every row is valid; run again without --dry-run to import':
    '{file}: alle Zeilen sind gültig; ohne --dry-run erneut ausführen, um zu importieren',
  // rapport serve
  'Rapport serves tenant {tenant} from {db}': 'Rapport stellt Mandant {tenant} aus {db} bereit',
  'Dashboard: none found (pass --dashboard <dir> or set RAPPORT_DASHBOARD_DIR), API only':
    'Dashboard: keines gefunden (--dashboard <Ordner> angeben oder RAPPORT_DASHBOARD_DIR setzen), nur die API',
  'API key:   {key}': 'API-Schlüssel: {key}',
  'Press Ctrl+C to stop.': 'Strg+C beendet.',
  // rapport score (the lead model's training result, from @rapport/predict)
  'trained on {cases} leads with {conversions} conversions; {method} won on the newest 15 %':
    'trainiert auf {cases} Leads mit {conversions} Konversionen; {method} war auf den neuesten 15 % besser',
  "not enough history: {conversions} conversions, {needed} needed; scores are the conversion rate of the lead's source":
    'zu wenig Historie: {conversions} Konversionen, {needed} nötig; die Bewertung ist die Konversionsrate der Quelle des Leads',
  // rapport audit
  '{count} entries older than {days} days deleted':
    '{count} Einträge älter als {days} Tage gelöscht',
};
