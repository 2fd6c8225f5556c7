import type { MessageCatalogue } from '../report/message-catalogue.js';

/**
 * German for the CLI's error lines (stderr): its own errors, commander's usage errors and the
 * field issues of a RapportError. The keys are the English messages as the code writes them;
 * `{name}` stands for a value.
 */
export const errorMessagesDe: MessageCatalogue = {
  'unexpected error (please report it)': 'unerwarteter Fehler (bitte melden)',
  '(add --help for usage)': '(--help zeigt die Verwendung)',
  "error: unknown option '{option}'": "Fehler: unbekannte Option '{option}'",
  "error: unknown option '{option}'\n(Did you mean {suggestion}?)":
    "Fehler: unbekannte Option '{option}'\n(Meinten Sie {suggestion}?)",
  '(Did you mean {suggestion}?)': '(Meinten Sie {suggestion}?)',
  "error: unknown command '{command}'": "Fehler: unbekannter Befehl '{command}'",
  "error: missing required argument '{argument}'": "Fehler: Pflichtargument '{argument}' fehlt",
  "error: too many arguments for '{command}'. Expected {expected} arguments but got {got}.":
    "Fehler: zu viele Argumente für '{command}': erwartet {expected}, erhalten {got}.",
  'error: too many arguments. Expected {expected} arguments but got {got}.':
    'Fehler: zu viele Argumente: erwartet {expected}, erhalten {got}.',
  "error: option '{option}' argument missing": "Fehler: Option '{option}' braucht einen Wert",
  "error: required option '{option}' not specified":
    "Fehler: Pflichtoption '{option}' nicht angegeben",
  "error: option '{option}' argument '{value}' is invalid. Allowed choices are {choices}.":
    "Fehler: Option '{option}': Wert '{value}' ist ungültig. Erlaubt sind {choices}.",
  "error: option '{option}' argument '{value}' is invalid. {reason}":
    "Fehler: Option '{option}': Wert '{value}' ist ungültig. {reason}",
  "error: option '{option}' cannot be used with option '{other}'":
    "Fehler: Option '{option}' ist nicht mit Option '{other}' kombinierbar",
  '"{value}" is not a positive whole number': '"{value}" ist keine positive ganze Zahl',
  '"{value}" is not a date or time': '"{value}" ist kein Datum und keine Uhrzeit',
  '"{value}" is not a port (0 to 65535)': '"{value}" ist kein Port (0 bis 65535)',
  'no KPI plugins are installed': 'keine KPI-Plugins installiert',
  'unknown KPI or group "{id}"; run `rapport kpi` for the list':
    'unbekannte KPI oder Gruppe "{id}"; `rapport kpi` zeigt die Liste',
  'cannot score "{what}"; try `rapport score leads`':
    '"{what}" lässt sich nicht bewerten; versuchen Sie `rapport score leads`',
  '{file} exists; not overwritten': '{file} gibt es schon; nicht überschrieben',
  'database {location} not found (run `rapport demo` first)':
    'Datenbank {location} nicht gefunden (zuerst `rapport demo` ausführen)',
  'database {location} not found (run `rapport demo` or `rapport migrate --db {again}`)':
    'Datenbank {location} nicht gefunden (`rapport demo` oder `rapport migrate --db {again}` ausführen)',
  'tenant {tenant} not found in {location} (run `rapport demo` or pass --tenant)':
    'Mandant {tenant} nicht gefunden in {location} (`rapport demo` ausführen oder --tenant angeben)',
  'port {port} is in use; pass --port': 'Port {port} ist belegt; geben Sie --port an',
  '{config}: plugins: {entry} failed to load: {reason}':
    '{config}: plugins: {entry} ließ sich nicht laden: {reason}',
  '{config}: plugins: {entry} exports no plugin (definePlugin)':
    '{config}: plugins: {entry} exportiert kein Plugin (definePlugin)',
  'config file {file} not found': 'Konfigurationsdatei {file} nicht gefunden',
  'unknown object "{object}"; one of: {objects}':
    'unbekanntes Objekt "{object}"; eines von: {objects}',
  'mapping file {file}: {reason}': 'Zuordnungsdatei {file}: {reason}',
  '--map {pair}: expected column=field': '--map {pair}: erwartet Spalte=Feld',
  '--set {pair}: expected field=value': '--set {pair}: erwartet Feld=Wert',
  'mapping names column "{column}", which the file does not have (it has: {header})':
    'die Zuordnung nennt die Spalte "{column}", die die Datei nicht hat (sie hat: {header})',
  'column "{column}" maps to "{field}", which is not a field of {object} (fields: {fields})':
    'Spalte "{column}" ist "{field}" zugeordnet, das kein Feld von {object} ist (Felder: {fields})',
  'column {columns} matches no field of {object}; map with --map "{column}=<field>", skip with --map "{skip}=" or pass --ignore-unmapped (fields: {fields})':
    'Spalte {columns} passt zu keinem Feld von {object}; zuordnen mit --map "{column}=<Feld>", überspringen mit --map "{skip}=" oder --ignore-unmapped angeben (Felder: {fields})',
  'columns {columns} match no field of {object}; map with --map "{column}=<field>", skip with --map "{skip}=" or pass --ignore-unmapped (fields: {fields})':
    'Spalten {columns} passen zu keinem Feld von {object}; zuordnen mit --map "{column}=<Feld>", überspringen mit --map "{skip}=" oder --ignore-unmapped angeben (Felder: {fields})',
  'constant "{field}" is not a field of {object} (fields: {fields})':
    'die Konstante "{field}" ist kein Feld von {object} (Felder: {fields})',
  'columns "{first}" and "{second}" both fill {field}':
    'die Spalten "{first}" und "{second}" füllen beide {field}',
  'no column fills externalId: map the column with the record\'s id in your system (--map "<column>=externalId"), so that importing again updates instead of duplicating':
    'keine Spalte füllt externalId: ordnen Sie die Spalte mit der ID des Datensatzes in Ihrem System zu (--map "<Spalte>=externalId"), damit ein erneuter Import aktualisiert statt zu verdoppeln',
  'file {file} not found': 'Datei {file} nicht gefunden',
  '{file}: not a valid CSV file ({reason})': '{file}: keine gültige CSV-Datei ({reason})',
  '{file} is empty: it needs a header row': '{file} ist leer: sie braucht eine Kopfzeile',
  '{file}:{line}: {values} values but the header has {columns} columns':
    '{file}:{line}: {values} Werte, aber die Kopfzeile hat {columns} Spalten',
  '{object} records are written by the engine and cannot be imported':
    '{object}-Datensätze schreibt die Engine selbst; sie lassen sich nicht importieren',
  '--errors needs --skip-invalid (without it, an import with bad rows writes nothing)':
    '--errors braucht --skip-invalid (ohne schreibt ein Import mit ungültigen Zeilen nichts)',
  '--dry-run writes nothing; it cannot be combined with --skip-invalid':
    '--dry-run schreibt nichts; es lässt sich nicht mit --skip-invalid kombinieren',
  '--owner: {object} records have no owner': '--owner: {object}-Datensätze haben keinen Besitzer',
  '--owner: no user with id or external id "{owner}"':
    '--owner: kein Benutzer mit der ID oder externen ID "{owner}"',
  '--from {system}: unknown system (one of {systems})':
    '--from {system}: unbekanntes System (eines von {systems})',
  '--from {system}: {folder} is not a folder': '--from {system}: {folder} ist kein Ordner',
  '{folder} has none of the {system} export files ({files})':
    '{folder} enthält keine der {system}-Exportdateien ({files})',
  '--from takes one argument, the export folder: rapport import --from salesforce ./export':
    '--from nimmt ein Argument, den Export-Ordner: rapport import --from salesforce ./export',
  'give the object and the file: rapport import leads leads.csv':
    'Objekt und Datei angeben: rapport import leads leads.csv',
  '{count} rows skipped': '{count} Zeilen übersprungen',
  '{count} rows skipped; they are in {file}': '{count} Zeilen übersprungen; sie stehen in {file}',
  '... (first {shown} of {count} bad rows shown)':
    '... (die ersten {shown} von {count} ungültigen Zeilen)',
  'importing {file} -> {object}': 'importiere {file} -> {object}',
  '{file}: 1 row rejected; nothing was imported':
    '{file}: 1 Zeile abgelehnt; nichts wurde importiert',
  '{file}: {count} rows rejected; nothing was imported':
    '{file}: {count} Zeilen abgelehnt; nichts wurde importiert',
  '{file}:{line}: column "{column}" ({field}): {reason} [{code}]':
    '{file}:{line}: Spalte "{column}" ({field}): {reason} [{code}]',
  '{file}:{line}: column "{column}": {reason} [{code}]':
    '{file}:{line}: Spalte "{column}": {reason} [{code}]',
  '{where}VALIDATION {field} (column "{column}"): {reason}':
    '{where}VALIDATION {field} (Spalte "{column}"): {reason}',
  'Invalid email address': 'Ungültige E-Mail-Adresse',
  Required: 'Pflichtfeld',
  'Too small: expected {type} to be {bound}': 'Zu klein: erwartet {type} {bound}',
  'Too big: expected {type} to be {bound}': 'Zu groß: erwartet {type} {bound}',
  'Invalid input: expected {type}, received {received}':
    'Ungültige Eingabe: erwartet {type}, erhalten {received}',
  'references no {object} {id}': 'verweist auf kein(e) {object} {id}',
};
