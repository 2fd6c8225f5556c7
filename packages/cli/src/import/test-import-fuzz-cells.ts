/**
 * @internal The bad cells of the import fuzz: for every import field of every importable object,
 * generated values that are certainly wrong for the field.
 */
import { isCurrencyCode, type ObjectName, standardObjects } from '@rapport/core';
import fc from 'fast-check';
import { writableFields } from './column-mapping.js';
import { fieldKinds } from './field-values.js';

/** One generated bad cell: the object and field it is for, the kind of badness and the value. */
export interface BadCell {
  readonly object: ObjectName;
  readonly field: string;
  readonly category: string;
  /** Text, or raw bytes (for bytes that are not UTF-8). */
  readonly value: string | Uint8Array;
}

interface ZodNode {
  readonly _zod?: {
    readonly def?: {
      readonly type?: string;
      readonly format?: string;
      readonly innerType?: unknown;
      readonly in?: unknown;
      readonly entries?: Readonly<Record<string, string>>;
    };
  };
}

/** What a field's schema is underneath optional, nullable and default: enum options, email. */
function shapeOf(schema: unknown): { options?: readonly string[]; email?: boolean } {
  // Test code reads zod's definition to pick values that are certainly wrong for the field.
  let node = schema as ZodNode | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def; depth++) {
    const def = node._zod.def;
    if (def.type === 'enum') return { options: Object.values(def.entries ?? {}) };
    if (def.type === 'string') return { email: def.format === 'email' };
    if (['optional', 'nullable', 'default', 'prefault'].includes(def.type ?? '')) {
      node = def.innerType as ZodNode;
    } else if (def.type === 'pipe') {
      node = def.in as ZodNode;
    } else {
      return {};
    }
  }
  return {};
}

const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const notUtf8 = fc.constantFrom(
  [0xe9],
  [0xfc],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0xfe],
  [0xc3, 0x28],
);
const nulText = fc
  .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([before, after]) => `${before}\u0000${after}`);
const tooLong = fc
  .tuple(fc.integer({ min: 32_001, max: 33_000 }), fc.constantFrom('x', 'ä', '字', ' a'))
  .map(([length, text]) => text.repeat(Math.ceil(length / text.length)));
const notANumber = fc.oneof(
  fc.constantFrom(
    'abc',
    '1.2.3',
    '1,5',
    'NaN',
    'Infinity',
    '0x10',
    '1e',
    '--1',
    '١٢',
    '½',
    '1_000',
  ),
  fc.string({ minLength: 1, maxLength: 10 }).filter((text) => !numberText.test(text.trim())),
);
const impossibleDay = fc
  .record({
    year: fc.integer({ min: 1970, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 29, max: 99 }),
  })
  .filter(({ year, month, day }) => day > new Date(Date.UTC(year, month, 0)).getUTCDate())
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${day}`);
const impossibleMonth = fc
  .tuple(fc.integer({ min: 1970, max: 2099 }), fc.integer({ min: 13, max: 99 }))
  .map(([year, month]) => `${year}-${month}-01`);
const notADate = fc.oneof(
  impossibleDay,
  impossibleMonth,
  fc.constantFrom('tomorrow', '31/12/2026', '2026-1-1', '20261231', '2026/12/31', 'T10:00'),
);
const impossibleTime = fc
  .tuple(fc.integer({ min: 24, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([hour, minute]) => `2026-03-01T${hour}:${String(minute).padStart(2, '0')}:00Z`);

/** The bad values of one field, by kind; every one is wrong for the field whatever the row. */
function badValues(
  object: ObjectName,
  field: string,
): fc.Arbitrary<Omit<BadCell, 'object' | 'field'>> {
  const definition = standardObjects[object];
  const kind = fieldKinds(object).get(field) ?? 'text';
  const schema = (definition.fields.shape as Record<string, unknown>)[field];
  const references = definition.references as Readonly<Record<string, string>> | undefined;
  const options: fc.Arbitrary<Omit<BadCell, 'object' | 'field'>>[] = [];
  const add = (category: string, values: fc.Arbitrary<string>, weight = 1) => {
    const arbitrary = values.map((value) => ({ category, value }));
    for (let i = 0; i < weight; i++) options.push(arbitrary);
  };
  switch (kind) {
    case 'money':
      add(
        'more decimals than the currency',
        fc
          .tuple(fc.nat({ max: 1e9 }), fc.stringMatching(/^\d{2,5}[1-9]$/))
          .map(([whole, fraction]) => `${whole}.${fraction}`),
        3,
      );
      add(
        'negative money',
        fc.integer({ min: 1, max: 1e9 }).map((n) => `-${n / 100}`),
      );
      add('money past a safe integer', fc.stringMatching(/^[1-9]\d{14,24}$/));
      add('not a number', notANumber);
      break;
    case 'number': {
      add('not a number', notANumber, 2);
      add('infinite number', fc.constantFrom('1e400', '-1e400', '9'.repeat(400)));
      const parse = (schema as { safeParse(value: unknown): { success: boolean } }).safeParse;
      const outOfRange = [-1, -0.5, 0, 1.5, 101, 1e10, 3001, 999].filter(
        (value) => !parse.call(schema, value).success,
      );
      if (outOfRange.length > 0)
        add('number out of range', fc.constantFrom(...outOfRange.map(String)));
      break;
    }
    case 'date':
      add('impossible date', notADate, 2);
      break;
    case 'timestamp':
      add('impossible date', notADate);
      add(
        'impossible time',
        fc.oneof(
          impossibleTime,
          impossibleDay.map((day) => `${day}T10:00:00Z`),
        ),
      );
      break;
    case 'json':
      add('malformed JSON', fc.constantFrom('{', '[1,', 'nope', "[{'a':1}]", '{"a":}', '[}'));
      add(
        'JSON of the wrong shape',
        fc.constantFrom('42', '"text"', 'null', '{}', '[1,2]', '[{}]', 'true'),
      );
      break;
    default: {
      add('NUL character', nulText);
      add('text too long', tooLong);
      const shape = shapeOf(schema);
      if (shape.options) {
        const allowed = shape.options;
        add(
          'not one of the options',
          fc.string({ minLength: 1, maxLength: 12 }).filter((value) => !allowed.includes(value)),
          2,
        );
      }
      if (shape.email) {
        add(
          'not an email',
          fc.string({ minLength: 1, maxLength: 20 }).filter((v) => !v.includes('@')),
          2,
        );
      }
      if (field === 'currency') {
        add(
          'not a currency code',
          fc
            .string({ minLength: 1, maxLength: 5 })
            .filter((value) => !isCurrencyCode(value.trim())),
          2,
        );
      }
      if (references?.[field]) {
        add(
          'reference to no record',
          fc.string({ minLength: 1, maxLength: 20 }).map((value) => `ghost-${value}`),
          2,
        );
      }
      if (object === 'opportunity' && field === 'stage') {
        add(
          'no stage of the pipeline',
          fc.string({ maxLength: 10 }).map((value) => `No ${value}`),
        );
      }
    }
  }
  return fc.oneof(...options);
}

/** The importable objects (not the engine's own) and their import fields. */
export function importFields(): { object: ObjectName; field: string }[] {
  const fields: { object: ObjectName; field: string }[] = [];
  for (const object of Object.keys(standardObjects) as ObjectName[]) {
    if (standardObjects[object].engineOnly) continue;
    for (const field of writableFields(object)) fields.push({ object, field });
  }
  return fields;
}

/**
 * The generator of bad cells over every import field of every importable object. One in twelve
 * carries bytes that are not UTF-8 (which refuse the whole file, whatever the field); the others
 * are wrong by the field's own rules.
 */
export function badCells(): fc.Arbitrary<BadCell> {
  const fields = fc.constantFrom(...importFields());
  const ruled = fields.chain(({ object, field }) =>
    badValues(object, field).map((bad): BadCell => ({ object, field, ...bad })),
  );
  const bytes = fc.tuple(fields, notUtf8).map(
    ([{ object, field }, broken]): BadCell => ({
      object,
      field,
      category: 'not UTF-8',
      // Bytes that are not UTF-8 inside an ordinary value, written raw into the file.
      value: Buffer.concat([Buffer.from('Caf'), Buffer.from(broken), Buffer.from('e')]),
    }),
  );
  return fc.oneof({ weight: 11, arbitrary: ruled }, { weight: 1, arbitrary: bytes });
}
