import { isRapportError } from '@rapport/core';
import { expect, it } from 'vitest';
import { rejection, securityFixture } from './test-security-fixture.js';

/**
 * Issue 12.4 (waits on core's fix): an unknown custom field in a KPI filter or breakdown is a
 * VALIDATION error naming the field, not a 200 with an empty result.
 */
it('an unknown custom field in a KPI filter or breakdown is VALIDATION, not an empty result', async () => {
  const fx = await securityFixture();
  for (const options of [
    { filters: { 'custom.noSuchField': 'a' } },
    { by: 'custom.noSuchField' },
  ] as const) {
    const error = await rejection(
      fx.ritaScope.kpis.evaluate(['pipeline.openCount'], options as never),
    );
    expect(isRapportError(error) && error.code, JSON.stringify(options)).toBe('VALIDATION');
  }
});
