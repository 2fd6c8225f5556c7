import type { MessageCatalogue } from './message-catalogue.js';

/**
 * German for the help of `rapport` and its commands: descriptions of commands, arguments and
 * options, and commander's own help lines. The keys are the English texts as the commands
 * declare them.
 */
export const helpMessagesDe: MessageCatalogue = {
  'Usage: {usage}': 'Aufruf: {usage}',
  'Options:': 'Optionen:',
  'Commands:': 'Befehle:',
  'Arguments:': 'Argumente:',
  'Examples:': 'Beispiele:',
  'output the version number': 'Versionsnummer ausgeben',
  'display help for command': 'Hilfe zum Befehl anzeigen',
  'Rapport, an embeddable CRM engine: demo, import, export, KPIs':
    'Rapport, eine einbettbare CRM-Engine: Demo, Import, Export, KPIs',
  'write a commented starter rapport.config.ts (or .json) here':
    'hier eine kommentierte Start-Konfiguration rapport.config.ts (oder .json) anlegen',
  'config format': 'Format der Konfiguration',
  'create a demo database (Maven CRM sample data + generated data) and print the KPI report':
    'eine Demo-Datenbank anlegen (Maven-CRM-Beispieldaten + erzeugte Daten) und den KPI-Bericht ausgeben',
  'SQLite file or postgres:// URL (default: $RAPPORT_DB, else rapport-demo.sqlite)':
    'SQLite-Datei oder postgres://-URL (Standard: $RAPPORT_DB, sonst rapport-demo.sqlite)',
  'tenant id (default: $RAPPORT_TENANT, else demo)':
    'Mandanten-ID (Standard: $RAPPORT_TENANT, sonst demo)',
  'project configuration whose KPI plugins the report shows':
    'Projektkonfiguration, deren KPI-Plugins der Bericht zeigt',
  'language of the report': 'Sprache des Berichts',
  'seed of the generated data (the same seed gives the same data)':
    'Startwert der erzeugten Daten (gleicher Startwert, gleiche Daten)',
  'print the figures as JSON instead of the report':
    'die Zahlen als JSON statt des Berichts ausgeben',
  "keep the sample data's own dates (it ends 2017-12-31) instead of moving it to the present":
    'die eigenen Daten der Beispieldaten behalten (sie enden am 31.12.2017), statt sie in die Gegenwart zu verschieben',
  'import a CSV file into an object (upsert by external id; all or nothing)':
    'eine CSV-Datei in ein Objekt importieren (Upsert über die externe ID; alles oder nichts)',
  'SQLite file or postgres:// URL (default: $RAPPORT_DB, else the config, else rapport-demo.sqlite)':
    'SQLite-Datei oder postgres://-URL (Standard: $RAPPORT_DB, sonst die Konfiguration, sonst rapport-demo.sqlite)',
  'tenant id (default: $RAPPORT_TENANT, else the config, else demo)':
    'Mandanten-ID (Standard: $RAPPORT_TENANT, sonst die Konfiguration, sonst demo)',
  'project configuration (default: $RAPPORT_CONFIG, else rapport.config.{ts,mts,js,mjs,json} here)':
    'Projektkonfiguration (Standard: $RAPPORT_CONFIG, sonst rapport.config.{ts,mts,js,mjs,json} hier)',
  'fill a field from a column; "column=" skips the column (repeatable)':
    'ein Feld aus einer Spalte füllen; "Spalte=" überspringt die Spalte (wiederholbar)',
  'give every row this value where no column fills the field (repeatable)':
    'jeder Zeile diesen Wert geben, wo keine Spalte das Feld füllt (wiederholbar)',
  'a mapping file, a mapping of the config, or a shipped one':
    'eine Zuordnungsdatei, eine Zuordnung der Konfiguration oder eine mitgelieferte',
  'import a whole export folder: salesforce, hubspot or pipedrive':
    'einen ganzen Export-Ordner importieren: salesforce, hubspot oder pipedrive',
  'skip columns that match no field instead of refusing the file':
    'Spalten ohne passendes Feld überspringen, statt die Datei abzulehnen',
  'dates as dd.MM.yyyy, MM/dd/yyyy, epoch-s, epoch-ms (default ISO)':
    'Datumsangaben als dd.MM.yyyy, MM/dd/yyyy, epoch-s, epoch-ms (Standard ISO)',
  'numbers are written 1.234,56': 'Zahlen sind als 1.234,56 geschrieben',
  'check the whole file (rules, references) and write nothing':
    'die ganze Datei prüfen (Regeln, Verweise) und nichts schreiben',
  "also import each record's history: lead conversions, a deal's lead":
    'auch die Vorgeschichte jedes Datensatzes importieren: Lead-Konvertierungen, den Lead einer Verkaufschance',
  'owner (user id or external id) of rows without an owner column value':
    'Vertriebsmitarbeiter (Benutzer-ID oder externe ID) für Zeilen ohne Wert in der Besitzer-Spalte',
  'import the good rows, skip the bad ones (committed in batches)':
    'die gültigen Zeilen importieren, die ungültigen überspringen (in Stapeln gespeichert)',
  'with --skip-invalid: write the bad rows here, with line and error':
    'mit --skip-invalid: die ungültigen Zeilen hierhin schreiben, mit Zeile und Fehler',
  'rows per transaction with --skip-invalid (default 500)':
    'Zeilen je Transaktion mit --skip-invalid (Standard 500)',
  'object or table: leads, accounts, contacts, opportunities, ...':
    'Objekt oder Tabelle: leads, accounts, contacts, opportunities, ...',
  'the CSV file (UTF-8, comma separated, header row); with --from, the folder':
    'die CSV-Datei (UTF-8, durch Kommas getrennt, mit Kopfzeile); mit --from der Ordner',
  'export the records of an object as CSV or JSON':
    'die Datensätze eines Objekts als CSV oder JSON exportieren',
  'output format': 'Ausgabeformat',
  'write to a file instead of stdout': 'in eine Datei statt auf stdout schreiben',
  'object or table: leads, accounts, opportunities, ...':
    'Objekt oder Tabelle: leads, accounts, opportunities, ...',
  'evaluate KPIs; without ids, list the KPIs of the installed plugins':
    'KPIs auswerten; ohne IDs die KPIs der installierten Plugins auflisten',
  '2026-Q3, 2026-03, 2026, FY2026, 2026-01-01..2026-03-31, thisQuarter, all':
    '2026-Q3, 2026-03, 2026, FY2026, 2026-01-01..2026-03-31, thisQuarter, all (Zeitraum)',
  'break down by owner, team, stage, leadSource, product, custom.<field>, ...':
    'aufschlüsseln nach owner, team, stage, leadSource, product, custom.<Feld>, ...',
  'print the results as JSON': 'die Ergebnisse als JSON ausgeben',
  'print the results as CSV': 'die Ergebnisse als CSV ausgeben',
  'language of titles and numbers': 'Sprache der Titel und Zahlen',
  'KPI ids (closing.winRate) or groups (closing)':
    'KPI-IDs (closing.winRate) oder Gruppen (closing)',
  'score leads with a model learned from the tenant history (or evaluate it)':
    'Leads mit einem aus der Historie des Mandanten gelernten Modell bewerten (oder es prüfen)',
  'train on the older 75 % by creation date, report on the newer 25 %':
    'mit den älteren 75 % (nach Anlagedatum) lernen, über die neueren 25 % berichten',
  'conversions needed for a model (default 100)':
    'nötige Konvertierungen für ein Modell (Standard 100)',
  'leads to print': 'auszugebende Leads',
  'the time to score at (default now)': 'Zeitpunkt der Bewertung (Standard jetzt)',
  'print the result as JSON': 'das Ergebnis als JSON ausgeben',
  'language of the explanations': 'Sprache der Begründungen',
  'what to score: leads': 'was bewertet wird: leads',
  'forecast revenue of a period with a range, check quotas, flag unrealistic deals; --backtest replays history':
    'den Umsatz eines Zeitraums mit Spanne prognostizieren, Vertriebsziele prüfen, unrealistische Verkaufschancen markieren; --backtest spielt die Vergangenheit nach',
  '2026-Q3, 2026-03, FY2026, thisQuarter (default)':
    '2026-Q3, 2026-03, FY2026, thisQuarter (Standard)',
  'per owner, team or product': 'je Vertriebsmitarbeiter, Team oder Produkt',
  'forecast as it could be made on this day (default today)':
    'Prognose, wie sie an diesem Tag möglich war (Standard heute)',
  'Monte Carlo runs': 'Monte-Carlo-Durchläufe',
  'seed of the simulation': 'Startwert der Simulation',
  'replay past periods from their first day and compare with what was won':
    'vergangene Zeiträume ab ihrem ersten Tag nachspielen und mit dem Gewonnenen vergleichen',
  'periods of the backtest, comma-separated (default: last year by quarter)':
    'Zeiträume des Backtests, durch Kommas getrennt (Standard: letztes Jahr nach Quartalen)',
  'deals to print': 'auszugebende Verkaufschancen',
  'create or upgrade the database schema (core and installed plugins)':
    'das Datenbankschema anlegen oder aktualisieren (Kern und installierte Plugins)',
  'copy every tenant and record to another database (SQLite file -> PostgreSQL)':
    'alle Mandanten und Datensätze in eine andere Datenbank kopieren (SQLite-Datei -> PostgreSQL)',
  'the source: a SQLite file or postgres:// URL':
    'die Quelle: eine SQLite-Datei oder postgres://-URL',
  'the target: a postgres:// URL (?schema=name) or SQLite file':
    'das Ziel: eine postgres://-URL (?schema=name) oder SQLite-Datei',
  'empty a target that has rows first (in the same transaction)':
    'ein Ziel mit Zeilen vorher leeren (in derselben Transaktion)',
  'rows per read and insert (default 500)': 'Zeilen je Lesen und Einfügen (Standard 500)',
  'serve the HTTP API and the KPI dashboard over the database':
    'die HTTP-API und das KPI-Dashboard über der Datenbank bereitstellen',
  'port to listen on (0 picks a free one)': 'Port (0 wählt einen freien)',
  'interface to listen on': 'Netzwerkschnittstelle',
  'built workspace app folder (default: the one the package ships)':
    'Ordner der gebauten Workspace-App (Standard: die mitgelieferte)',
  'show the audit trail: who changed what, when, old and new values':
    'das Änderungsprotokoll zeigen: wer was wann geändert hat, alte und neue Werte',
  'only this object (lead, opportunity, ...)': 'nur dieses Objekt (lead, opportunity, ...)',
  'only this record': 'nur dieser Datensatz',
  'only writes by this actor': 'nur Änderungen dieses Benutzers',
  'entries at or after this ISO-8601 time': 'Einträge ab diesem ISO-8601-Zeitpunkt',
  'entries at or before this ISO-8601 time': 'Einträge bis zu diesem ISO-8601-Zeitpunkt',
  'at most this many entries (default 50)': 'höchstens so viele Einträge (Standard 50)',
  'print the entries as JSON': 'die Einträge als JSON ausgeben',
  'delete entries older than the retention period, then exit':
    'Einträge älter als die Aufbewahrungsfrist löschen, dann beenden',
  'retention period for --purge (default 730)': 'Aufbewahrungsfrist für --purge (Standard 730)',
  // The help texts after the options, paragraph by paragraph.
  'Columns fill fields by name (case, spaces and _ ignored: "Close Date" fills closeDate; "Id" or\n"External Id" fill externalId). One column must fill externalId: rows upsert on it, so importing\nthe same file again, or again after a crash, creates no duplicates. Money columns are in major\nunits (1234.56) of the row\'s currency column, else of the tenant\'s base currency. References\n(accountId, ownerId, ...) take a record id or an external id. Custom fields of the project\nconfiguration are custom.<name>. A column may fill several fields (repeat --map).':
    'Spalten füllen Felder über ihren Namen (Groß-/Kleinschreibung, Leerzeichen und _ zählen nicht:\n"Close Date" füllt closeDate; "Id" oder "External Id" füllen externalId). Eine Spalte muss\nexternalId füllen: Zeilen werden darüber aktualisiert oder angelegt, daher erzeugt derselbe\nImport noch einmal, auch nach einem Absturz, keine Dubletten. Geldspalten sind in Haupteinheiten\n(1234.56) der Währungsspalte der Zeile, sonst der Basiswährung des Mandanten. Verweise\n(accountId, ownerId, ...) nehmen eine Datensatz-ID oder eine externe ID. Eigene Felder der\nProjektkonfiguration heißen custom.<Name>. Eine Spalte kann mehrere Felder füllen (--map wiederholen).',
  '--mapping takes a JSON file, a mapping named in the config, or a shipped one (salesforce.lead,\nsalesforce.account, salesforce.contact, salesforce.opportunity, hubspot.contacts,\nhubspot.companies, hubspot.deals, pipedrive.persons, pipedrive.organizations, pipedrive.deals).':
    '--mapping nimmt eine JSON-Datei, eine in der Konfiguration benannte Zuordnung oder eine\nmitgelieferte (salesforce.lead, salesforce.account, salesforce.contact, salesforce.opportunity,\nhubspot.contacts, hubspot.companies, hubspot.deals, pipedrive.persons, pipedrive.organizations,\npipedrive.deals).',
  "--history also imports what a record's past says: its own creation (createdAt, createdBy), a\nlead's conversion (converted, convertedAt, convertedAccountId, convertedContactId,\nconvertedOpportunityId) and a deal's lead (leadId, leadConvertedAt), done with the engine's lead\nconversion.":
    '--history importiert auch, was die Vergangenheit eines Datensatzes sagt: seine eigene Anlage\n(createdAt, createdBy), die Konvertierung eines Leads (converted, convertedAt, convertedAccountId,\nconvertedContactId, convertedOpportunityId) und den Lead einer Verkaufschance (leadId,\nleadConvertedAt), ausgeführt mit der Lead-Konvertierung der Engine.',
  "stage-history imports a file of deal stage changes (opportunityId: the deal's id or external id,\nstage, amount, probability, closeDate, changedAt, changedBy), each dated by its changedAt; all or\nnothing, and importing it again changes nothing (shipped: salesforce.opportunityHistory).":
    'stage-history importiert eine Datei mit Phasenwechseln von Verkaufschancen (opportunityId: die ID\noder externe ID der Verkaufschance, stage, amount, probability, closeDate, changedAt, changedBy),\njeder datiert durch sein changedAt; alles oder nichts, und ein erneuter Import ändert nichts\n(mitgeliefert: salesforce.opportunityHistory).',
  'exact KPI rollups: rebuild them from the records, check them, or list them':
    'exakte KPI-Rollups: aus den Datensätzen neu berechnen, prüfen oder auflisten',
  'recompute every rollup from the records': 'jedes Rollup aus den Datensätzen neu berechnen',
  'list which rollups are built, and their cells, without recomputing':
    'auflisten, welche Rollups vollständig sind, und ihre Zellen, ohne Neuberechnung',
  'compare the rollups with a recompute and list differences':
    'die Rollups mit einer Neuberechnung vergleichen und Abweichungen auflisten',
  'The target is migrated first; ids, versions and timestamps are copied as they are, in one\ntransaction: a failed copy leaves the target as it was. A target with rows is refused unless\n--replace.':
    'Das Ziel wird zuerst migriert; IDs, Versionen und Zeitstempel werden unverändert in einer\nTransaktion kopiert: Eine fehlgeschlagene Kopie lässt das Ziel, wie es war. Ein Ziel mit Zeilen\nwird abgelehnt, außer mit --replace.',
  "CSV cells starting with = + - @, a tab, CR or LF are prefixed with ' so that spreadsheets do not\nrun them (OWASP); cells are quoted per RFC 4180.\nMoney is in major units in CSV (as import reads it), in minor units in JSON.":
    "CSV-Zellen, die mit = + - @, einem Tabulator, CR oder LF beginnen, bekommen ein ' vorangestellt,\ndamit Tabellenkalkulationen sie nicht ausführen (OWASP); Zellen werden nach RFC 4180 maskiert.\nGeld steht in CSV in Haupteinheiten (wie der Import es liest), in JSON in Nebeneinheiten.",
  'The sample data ends 2017-12-31; the demo moves its dates by whole quarters so that it ends in\nthe last complete quarter before today, and says so.':
    'Die Beispieldaten enden am 31.12.2017; die Demo verschiebt ihre Daten um ganze Quartale, sodass\nsie im letzten vollständigen Quartal vor heute enden, und sagt das.',
  'The API is at /api (OpenAPI 3.1 at /api/openapi.json); every request needs the printed key as\nAuthorization: Bearer <key>. Each start makes a new key and revokes the previous one.':
    'Die API liegt unter /api (OpenAPI 3.1 unter /api/openapi.json); jede Anfrage braucht den\nausgegebenen Schlüssel als Authorization: Bearer <Schlüssel>. Jeder Start erzeugt einen neuen\nSchlüssel und widerruft den vorigen.',
};
