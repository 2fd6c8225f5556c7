import { expect, test } from 'vitest';
import { renderBarChart } from './bar-chart.js';
import { createNumberFormat, formatKpiValue } from './number-format.js';
import { renderTable } from './text-table.js';

test('numbers and money per language', () => {
  const de = createNumberFormat('de');
  const en = createNumberFormat('en');
  expect(de.money(123456, 'EUR')).toBe('1.234,56 €');
  expect(en.money(123456, 'EUR')).toBe('€1,234.56');
  expect(de.money(1234, 'JPY')).toBe('1.234 ¥');
  expect(de.ratio(0.6315)).toBe('63,15 %');
  expect(en.ratio(0.6315)).toBe('63.15 %');
  expect(de.duration(12.25)).toBe('12,3 Tage');
  expect(en.change('ratio', 0.021, 0.05)).toBe('+2.10 pp');
  expect(de.change('money', 100, -0.125)).toBe('-12,5 %');
  expect(en.change('count', null, null)).toBe('–');
  expect(formatKpiValue(en, { unit: 'money', value: 99, currency: 'USD' })).toBe('$0.99');
  expect(formatKpiValue(en, { unit: 'ratio', value: null, currency: null })).toBe('–');
});

test('bar charts scale to the largest value with eighth blocks', () => {
  const chart = renderBarChart(
    [
      { label: 'Anna', value: 8, text: '8' },
      { label: 'Bo', value: 3, text: '3' },
      { label: 'Cy', value: 0, text: '0' },
    ],
    8,
  );
  expect(chart.split('\n')).toEqual([
    'Anna  ████████  8',
    'Bo    ███       3',
    'Cy              0',
  ]);
  expect(
    renderBarChart(
      [
        { label: 'x', value: 1, text: 'a' },
        { label: 'y', value: 0.5625, text: 'b' },
      ],
      2,
    ),
  ).toContain('█▏');
});

test('tables pad and right-align', () => {
  expect(
    renderTable([{ title: 'KPI' }, { title: 'Value', right: true }], [['Win rate', '5 %']]),
  ).toBe('KPI       Value\n────────  ─────\nWin rate    5 %');
});
