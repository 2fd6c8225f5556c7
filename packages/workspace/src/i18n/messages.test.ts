import { expect, test } from 'vitest';
import {
  formatDay,
  formatMoney,
  formatMonth,
  issueMessage,
  kpiReason,
  stringsOf,
} from './messages.js';

test('dates, months and money per locale', () => {
  expect(formatDay('2018-03-31', 'de')).toBe('31.03.2018');
  expect(formatDay('2018-03-31', 'en')).toBe('Mar 31, 2018');
  expect(formatMonth('2017-01', 'de')).toBe('Jan. 2017');
  expect(formatMoney(339300, 'EUR', 'de')).toBe('3.393\u00a0€');
  expect(formatMoney(null, 'EUR', 'en')).toBe('–');
});

test('German uses the terms a German sales team uses', () => {
  const de = stringsOf('de');
  expect(de.stage).toBe('Phase');
  expect(de.quota).toBe('Vertriebsziel');
  expect(de.attainment).toBe('Zielerreichung');
  expect(de.owner).toBe('Vertriebsmitarbeiter');
  // The predictions in the same terms: the quota is a Vertriebsziel, never a "Quote".
  expect(de.quotaAtRisk).toBe('Vertriebsziel gefährdet');
  expect(de.quotaChance).toBe('Chance auf Zielerreichung');
  expect(de.sourceRateWhy).toContain('Lead-zu-Kunden-Quote');
  expect(de.stageDefault).toBe('Standard der Phase');
  for (const text of [de.quotaAtRisk, de.quotaChance, de.forecastModelNote, de.rollupNoForecast])
    expect(text).not.toMatch(/\bQuote\b/);
  expect(kpiReason('quota already met', 'de')).toBe('Vertriebsziel bereits erreicht');
  expect(issueMessage({ code: 'too_small', message: 'Too small' }, 'de')).toBe(
    'Der Wert ist zu klein oder leer.',
  );
  expect(issueMessage({ code: 'too_small', message: 'Too small' }, 'en')).toBe('Too small');
});
