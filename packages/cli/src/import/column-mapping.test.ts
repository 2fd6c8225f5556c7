import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildColumnMapping } from './column-mapping.js';

test('columns map by name, ignoring case, spaces, _ and -; Id fills externalId', () => {
  const mapping = buildColumnMapping('lead', ['Id', 'last_name', 'COMPANY', 'Lead-Source'], {});
  expect(mapping.rules.map((r) => r.map((x) => x.field))).toEqual([
    ['externalId'],
    ['lastName'],
    ['company'],
    ['leadSource'],
  ]);
  expect(mapping.columnOf('lastName')).toBe('last_name');
});

test('--map and a mapping file rename and skip columns', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rapport-map-')), 'map.json');
  writeFileSync(file, JSON.stringify({ columns: { Firma: 'company', Notes: null } }));
  const mapping = buildColumnMapping('lead', ['Key', 'Nachname', 'Firma', 'Notes'], {
    map: ['Key=externalId', 'Nachname=lastName'],
    mappingFile: file,
  });
  expect(mapping.rules.map((r) => r.map((x) => x.field))).toEqual([
    ['externalId'],
    ['lastName'],
    ['company'],
    [],
  ]);
});

test('unknown columns, unknown fields, duplicates and a missing externalId are input errors', () => {
  expect(() => buildColumnMapping('lead', ['Id', 'Shoe Size'], {})).toThrow(
    /"Shoe Size" matches no field of lead/,
  );
  expect(() => buildColumnMapping('lead', ['Id', 'X'], { map: ['X=shoeSize'] })).toThrow(
    /not a field of lead/,
  );
  expect(() => buildColumnMapping('lead', ['Id', 'External Id'], {})).toThrow(
    /both fill externalId/,
  );
  expect(() => buildColumnMapping('lead', ['Company'], {})).toThrow(/no column fills externalId/);
  expect(() => buildColumnMapping('lead', ['Id'], { map: ['Missing=company'] })).toThrow(
    /does not have/,
  );
});

test('one column fills several fields; constants; --ignore-unmapped; custom fields from the config', () => {
  const mapping = buildColumnMapping('account', ['customerID', 'Contract', 'gender'], {
    map: ['customerID=externalId', 'customerID=name', 'Contract=custom.contract'],
    constants: ['type=Customer'],
    ignoreUnmapped: true,
    customFields: ['contract'],
  });
  expect(mapping.rules.map((r) => r.map((x) => x.field))).toEqual([
    ['externalId', 'name'],
    ['custom.contract'],
    [],
  ]);
  expect(mapping.constants).toEqual({ type: 'Customer' });
  expect(() =>
    buildColumnMapping('account', ['Id', 'Contract'], { map: ['Contract=custom.contract'] }),
  ).toThrow(/"custom.contract", which is not a field of account/);
  expect(() => buildColumnMapping('account', ['Id', 'gender'], {})).toThrow(/--ignore-unmapped/);
});
