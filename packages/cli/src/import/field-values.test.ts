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
    rowToInput(
      'opportunity',
      mapping,
      ['D1', 'Deal', '1234.56', 'JPY', '2026-09-30T00:00:00Z', '40', ''],
      'EUR',
    ),
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
  const euros = rowToInput(
    'opportunity',
    mapping,
    ['D2', 'Deal', '1234.56', '', '2026-09-30', '', ''],
    'EUR',
  );
  expect(euros.input.amount).toBe(123456);
  const bad = rowToInput(
    'opportunity',
    mapping,
    ['D3', 'Deal', '1.234,56', '', '2026-09-30', 'x', ''],
    'EUR',
  );
  expect(bad.problems.map((p) => p.field)).toEqual(['amount', 'probability']);
});

test('timestamps accept a day or a local time and become UTC instants', () => {
  const mapping = buildColumnMapping('activity', ['Id', 'Type', 'Subject', 'Due At'], {});
  expect(
    rowToInput('activity', mapping, ['A1', 'call', 'Hi', '2026-03-01'], 'EUR').input.dueAt,
  ).toBe('2026-03-01T00:00:00Z');
  expect(
    rowToInput('activity', mapping, ['A1', 'call', 'Hi', '2026-03-01 09:30'], 'EUR').input.dueAt,
  ).toBe('2026-03-01T09:30Z');
});
