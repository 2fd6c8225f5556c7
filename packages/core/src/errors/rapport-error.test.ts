import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isRapportError, RapportError, validationError } from './rapport-error.js';
import { fromZodError } from './zod-issues.js';

describe('RapportError', () => {
  it('is an Error with a stable code, issues, object, id and cause', () => {
    const cause = new Error('driver said no');
    const error = new RapportError('CONFLICT', 'opportunity o1 is at version 3, not 2', {
      object: 'opportunity',
      id: 'o1',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(RapportError);
    expect(error.name).toBe('RapportError');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('opportunity o1 is at version 3, not 2');
    expect(error.object).toBe('opportunity');
    expect(error.id).toBe('o1');
    expect(error.issues).toEqual([]);
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('RapportError');
  });

  it('has no cause unless one is given', () => {
    expect('cause' in new RapportError('NOT_FOUND', 'gone')).toBe(false);
  });

  it('serialises to a plain object without undefined members', () => {
    const error = new RapportError('VALIDATION', 'account: name is required', {
      object: 'account',
      issues: [{ path: ['name'], message: 'is required', code: 'invalid_type' }],
    });
    expect(error.toJSON()).toEqual({
      code: 'VALIDATION',
      message: 'account: name is required',
      object: 'account',
      issues: [{ path: ['name'], message: 'is required', code: 'invalid_type' }],
    });
    expect(JSON.parse(JSON.stringify(new RapportError('FORBIDDEN', 'no')))).toEqual({
      code: 'FORBIDDEN',
      message: 'no',
      issues: [],
    });
  });

  it('isRapportError narrows by type and optionally by code', () => {
    const error = new RapportError('NOT_FOUND', 'lead l1 not found');
    expect(isRapportError(error)).toBe(true);
    expect(isRapportError(error, 'NOT_FOUND')).toBe(true);
    expect(isRapportError(error, 'CONFLICT')).toBe(false);
    expect(isRapportError(new Error('plain'))).toBe(false);
    expect(isRapportError({ code: 'NOT_FOUND', name: 'RapportError' })).toBe(false);
    expect(isRapportError(undefined)).toBe(false);
  });

  it('validationError names the object, the field path and a machine-readable code', () => {
    const error = validationError(
      'lineItem',
      ['lineItems', 2, 'quantity'],
      'must be positive',
      'too_small',
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('lineItem: lineItems.2.quantity must be positive');
    expect(error.issues).toEqual([
      { path: ['lineItems', 2, 'quantity'], message: 'must be positive', code: 'too_small' },
    ]);
    expect(validationError('tenant', [], 'is empty').message).toBe('tenant: input is empty');
    expect(validationError('tenant', [], 'is empty').issues[0]?.code).toBe('invalid');
  });
});

describe('fromZodError', () => {
  const schema = z.strictObject({
    name: z.string().min(1),
    amount: z.number().int().nonnegative(),
    lines: z.array(z.strictObject({ quantity: z.number().positive() })),
  });

  it('keeps every issue with its full path, and one issue per unknown key', () => {
    const parsed = schema.safeParse({
      name: '',
      amount: -1,
      lines: [{ quantity: 1 }, { quantity: 0, extra: true }],
      bogus: 1,
      other: 2,
    });
    if (parsed.success) throw new Error('the input is invalid');
    const error = fromZodError('opportunity', parsed.error);
    expect(error.code).toBe('VALIDATION');
    expect(error.object).toBe('opportunity');
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        ['name'],
        ['amount'],
        ['lines', 1, 'quantity'],
        ['lines', 1, 'extra'],
        ['bogus'],
        ['other'],
      ]),
    );
    expect(error.issues.filter((issue) => issue.code === 'unknown_field')).toHaveLength(3);
    expect(error.message).toMatch(/^opportunity: /);
    expect(error.message).toContain('lines.1.quantity');
  });

  it('prefixes paths, as custom fields under `custom` do', () => {
    const parsed = z.strictObject({ nps: z.number().max(10) }).safeParse({ nps: 11 });
    if (parsed.success) throw new Error('the input is invalid');
    const error = fromZodError('account', parsed.error, ['custom']);
    expect(error.issues).toEqual([expect.objectContaining({ path: ['custom', 'nps'] })]);
  });
});
