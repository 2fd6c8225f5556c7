import { expect, test } from 'vitest';
import { buildColumnMapping } from './column-mapping.js';
import { fieldKinds, rowToInput } from './field-values.js';

test('field kinds come from the object schemas', () => {
  const kinds = fieldKinds('opportunity');
  expect(kinds.get('amount')).toBe('money');
  expect(kinds.get('closeDate')).toBe('date');
  expect(kinds.get('probability')).toBe('number');
  expect(kinds.get('name')).toBe('text');
  expect(fieldKinds('activity').get('dueAt')).toBe('timestamp');
  expect(fieldKinds('pipeline').get('stages')).toBe('json');
});

test('a row becomes upsert input: money in major units, ISO dates, empty cells left out', () => {
  const header = ['Id', 'Name', 'Amount', 'Currency', 'Close Date', 'Probability', 'Next Step'];
  const mapping = buildColumnMapping('opportunity', header, {});
  expect(
    rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
      'D1',
      'Deal',
      '1235',
      'JPY',
      '2026-09-30T00:00:00Z',
      '40',
      '',
    ]),
  ).toEqual({
    input: {
      externalId: 'D1',
      name: 'Deal',
      amount: 1235,
      currency: 'JPY',
      closeDate: '2026-09-30',
      probability: 40,
    },
    problems: [],
  });
  const euros = rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
    'D2',
    'Deal',
    '1234.56',
    '',
    '2026-09-30',
    '',
    '',
  ]);
  expect(euros.input.amount).toBe(123456);
  const bad = rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
    'D3',
    'Deal',
    '1.234,56',
    '',
    '2026-09-30',
    'x',
    '',
  ]);
  expect(bad.problems.map((p) => p.field)).toEqual(['amount', 'probability']);
});

test('money with more decimals than its currency has is a problem of the field, never rounded', () => {
  const header = ['Id', 'Name', 'Amount', 'Currency', 'Close Date'];
  const mapping = buildColumnMapping('opportunity', header, {});
  const read = (amount: string, currency: string) =>
    rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
      'D1',
      'Deal',
      amount,
      currency,
      '2026-09-30',
    ]);
  for (const [amount, currency] of [
    ['12.345', 'EUR'],
    ['12.345', ''],
    ['1234.56', 'JPY'],
    ['0.5', 'KRW'],
    ['1.0005', 'BHD'],
    ['1e-3', 'USD'],
  ] as const) {
    const { input, problems } = read(amount, currency);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe('amount');
    expect(problems[0]?.message).toMatch(/more decimals than (EUR|JPY|KRW|BHD|USD)/);
    expect(input.amount).toBeUndefined();
  }
  expect(read('12.340', 'EUR').input.amount).toBe(1234);
  expect(read('1.234', 'BHD').input.amount).toBe(1234);
  expect(read('1234', 'JPY').input.amount).toBe(1234);
  const comma = buildColumnMapping('opportunity', header, { decimal: ',' });
  const written = rowToInput({ object: 'opportunity', mapping: comma, baseCurrency: 'EUR' }, [
    'D1',
    'Deal',
    '1.234,567',
    '',
    '2026-09-30',
  ]);
  expect(written.problems.map((p) => p.field)).toEqual(['amount']);
  const past = read('90071992547409.92', 'EUR');
  expect(past.problems[0]?.message).toContain('minor units');
});

test('timestamps accept a day or a local time and become UTC instants', () => {
  const mapping = buildColumnMapping('activity', ['Id', 'Type', 'Subject', 'Due At'], {});
  expect(
    rowToInput({ object: 'activity', mapping, baseCurrency: 'EUR' }, [
      'A1',
      'call',
      'Hi',
      '2026-03-01',
    ]).input.dueAt,
  ).toBe('2026-03-01T00:00:00Z');
  expect(
    rowToInput({ object: 'activity', mapping, baseCurrency: 'EUR' }, [
      'A1',
      'call',
      'Hi',
      '2026-03-01 09:30',
    ]).input.dueAt,
  ).toBe('2026-03-01T09:30:00.000Z');
});

test('value maps, date formats, epoch times and decimal commas', () => {
  const header = ['Id', 'Name', 'Betrag', 'Abschluss', 'Phase', 'Won'];
  const mapping = buildColumnMapping('opportunity', header, {
    mapping: {
      object: 'opportunity',
      columns: {
        Betrag: { field: 'amount', decimal: ',' },
        Abschluss: { field: 'closeDate', dateFormat: 'dd.MM.yyyy' },
        Phase: { field: 'stage', values: { Gewonnen: 'Closed Won', '*': 'Prospecting' } },
        Won: null,
      },
    },
  });
  const row = rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
    'D1',
    'Deal',
    '1.234,56',
    '31.03.2026',
    'Gewonnen',
    '1',
  ]);
  expect(row).toEqual({
    input: {
      externalId: 'D1',
      name: 'Deal',
      amount: 123456,
      closeDate: '2026-03-31',
      stage: 'Closed Won',
    },
    problems: [],
  });
  const other = rowToInput({ object: 'opportunity', mapping, baseCurrency: 'EUR' }, [
    'D2',
    'Deal',
    '12',
    '31.02.2026',
    'Neu',
    '',
  ]);
  expect(other.input.stage).toBe('Prospecting');
  expect(other.problems).toEqual([
    { field: 'closeDate', message: '"31.02.2026" is not a date in the format dd.MM.yyyy' },
  ]);
  const us = buildColumnMapping('activity', ['Id', 'Type', 'Subject', 'Due At'], {
    dateFormat: 'MM/dd/yyyy',
  });
  expect(
    rowToInput({ object: 'activity', mapping: us, baseCurrency: 'EUR' }, [
      'A',
      'call',
      'x',
      '03/31/2026',
    ]).input.dueAt,
  ).toBe('2026-03-31T00:00:00Z');
  const epoch = buildColumnMapping('activity', ['Id', 'Type', 'Subject', 'Due At'], {
    dateFormat: 'epoch-ms',
  });
  expect(
    rowToInput({ object: 'activity', mapping: epoch, baseCurrency: 'EUR' }, [
      'A',
      'call',
      'x',
      '1774915200000',
    ]).input.dueAt,
  ).toBe('2026-03-31T00:00:00.000Z');
});
