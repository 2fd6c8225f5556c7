import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test } from 'vitest';
import { evaluateReport, renderReport } from './kpi-report.js';
import { kpiServiceOf } from './kpi-view.js';
import { createNumberFormat } from './number-format.js';

test('the report renders any plugin generically: group, titles, units, change and a chart', async () => {
  const crm = createCrm({
    storage: sqliteStorage({ filename: ':memory:' }),
    plugins: [closingPlugin],
  });
  await crm.migrate();
  await crm.createTenant({ id: 't', name: 'T', baseCurrency: 'EUR' });
  const scope = crm.tenant('t').system();
  const anna = await scope.users.create({ name: 'Anna' });
  const ben = await scope.users.create({ name: 'Ben' });
  const deals: [string, 'won' | 'lost', string][] = [
    [anna.id, 'won', '2026-02-10'],
    [anna.id, 'won', '2026-02-11'],
    [anna.id, 'won', '2026-02-12'],
    [ben.id, 'lost', '2026-02-13'],
    [ben.id, 'won', '2026-01-20'],
    [ben.id, 'lost', '2026-01-21'],
  ];
  for (const [ownerId, outcome, closeDate] of deals) {
    const deal = await scope.opportunities.create({
      name: 'Deal',
      ownerId,
      amount: 1234_56,
      openDate: '2026-01-01',
      closeDate,
    });
    if (outcome === 'won')
      await scope.opportunities.closeWon(deal.id, { version: deal.version, closeDate });
    else
      await scope.opportunities.closeLost(deal.id, {
        version: deal.version,
        closeDate,
        lostReason: 'Price',
      });
  }
  const kpis = kpiServiceOf(scope);
  expect(kpis).toBeDefined();
  const groups = await evaluateReport(kpis!, '2026-02');
  expect(groups.map((g) => g.group)).toEqual(['closing']);

  const english = renderReport(groups, createNumberFormat('en'));
  expect(english).toContain('■ CLOSING');
  // February: 3 won of 4 closed; January: 1 of 2. The change is in percentage points.
  expect(english).toMatch(/Win rate\s+75\.00 %\s+50\.00 %\s+\+25\.00 pp\s+4\s+closing\.winRate/);
  expect(english).toContain('Win rate by rep');
  expect(english).toMatch(/Anna\s+█+\s+100\.00 %/);
  expect(english).toMatch(/€3,703\.68/);

  const german = renderReport(groups, createNumberFormat('de'));
  expect(german).toContain('■ ABSCHLUSS');
  expect(german).toMatch(/Gewinnquote\s+75,00 %\s+50,00 %\s+\+25,00 Pp\./);
  expect(german).toContain('3.703,68 €');
  await crm.destroy();
});
