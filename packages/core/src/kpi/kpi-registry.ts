import { expressionBuilder } from 'kysely';
import type { z } from 'zod';
import type { EngineState } from '../engine/engine-state.js';
import { storedFieldsOf, whereConditions } from '../engine/query-filter.js';
import { RapportError } from '../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import { type AnyKpiDefinition, isDeclaredKpi, type KpiProvider } from './kpi-definition.js';
import { dimensionExpressions } from './kpi-dimensions.js';
import { hiddenFieldsRead } from './kpi-hidden-fields.js';
import type { KpiBreakdown } from './kpi-info.js';
import { stableKey } from './kpi-plan.js';
import type { AnyKpiSource } from './kpi-source.js';

/** @internal What the registry checks definitions against. */
export interface KpiRegistryContext {
  readonly objects: Readonly<Record<string, AnyObjectDefinition>>;
  readonly customSchemas: Readonly<Record<string, z.ZodObject>>;
  readonly dialect: DialectSql;
}

/** @internal The KPIs of an engine by id, in plugin order, checked once by `createCrm`. */
export type KpiRegistry = ReadonlyMap<string, AnyKpiDefinition>;

const eb = expressionBuilder<AnyDatabase, string>();

/** The fields a measure expression reads (`amount`, `{ money: 'amount' }`, nested `times`). */
function expressionFields(expression: unknown): unknown[] {
  if (typeof expression === 'string') return [expression];
  if (expression === null || typeof expression !== 'object') return [expression];
  if ('money' in expression) return [expression.money];
  if ('daysBetween' in expression && Array.isArray(expression.daysBetween))
    return expression.daysBetween;
  if ('times' in expression && Array.isArray(expression.times))
    return expression.times.flatMap(expressionFields);
  return [expression];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Checks one KPI against the objects; returns what is wrong, or undefined. */
function problemOf(kpi: AnyKpiDefinition, context: KpiRegistryContext): string | undefined {
  const sources: AnyKpiSource[] = isDeclaredKpi(kpi)
    ? Object.values(kpi.measures).map((m) => m.source)
    : [...(kpi.sources ?? [])];
  const problems: string[] = [];
  const check = (what: string, run: () => unknown) => {
    try {
      run();
    } catch (error) {
      const reason =
        error instanceof RapportError && error.issues.length > 0
          ? error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')
          : error instanceof Error
            ? error.message
            : String(error);
      problems.push(`${what}: ${reason}`);
    }
  };
  const whereOf = (definition: AnyObjectDefinition, where: object | undefined) => {
    const customSchema = context.customSchemas[definition.name];
    if (!customSchema) throw new Error(`${definition.name} has no custom field schema`);
    // Cast: a source's filter is typed by its object; checked here over the erased record.
    whereConditions(eb, where as Readonly<Record<string, unknown>> | undefined, {
      definition,
      customSchema,
      dialect: context.dialect,
      alias: 't',
      hiddenFields: 'read',
    });
  };
  for (const source of sources) {
    const definition = context.objects[source.object];
    if (!definition) {
      problems.push(`source object ${source.object} does not exist`);
      continue;
    }
    const fields = storedFieldsOf(definition);
    if (source.date !== undefined && !fields.has(source.date))
      problems.push(`source date ${source.date} is not a field of ${source.object}`);
    check(`source filter on ${source.object}`, () => whereOf(definition, source.where));
    for (const dimension of kpi.dimensions) {
      // `custom` is any custom field: a sample name stands for all of them.
      const by = (dimension === 'custom' ? 'custom.field' : dimension) as KpiBreakdown;
      check(`dimension ${dimension}`, () =>
        dimensionExpressions(by, source.object, 't', context.objects, context.dialect, ''),
      );
    }
  }
  // A declared KPI answers every actor: it may not read fields kept from records the actor may
  // not see (nor may a query KPI's scanned sources). Its `rollupMeasures` may: `ctx.rolledUp`
  // answers them only for an actor who sees every record they are kept from.
  const measures = isDeclaredKpi(kpi) ? Object.values(kpi.measures) : [];
  for (const source of sources) {
    const read = hiddenFieldsRead(
      context.objects,
      source,
      measures.filter((measure) => measure.source === source),
    );
    for (const { field } of read)
      problems.push(
        `reads ${field}, a hidden field of ${source.object}: only rollupMeasures read through ctx.rolledUp may`,
      );
  }
  if (isDeclaredKpi(kpi)) {
    for (const [name, measure] of Object.entries(kpi.measures)) {
      const definition = context.objects[measure.source.object];
      if (!definition) continue;
      const fields = storedFieldsOf(definition);
      if (measure.aggregate !== 'count') {
        for (const field of expressionFields(measure.of)) {
          if (typeof field !== 'string' || !fields.has(field))
            problems.push(
              `measure ${name} reads ${describe(field)}, which is not a field of ${definition.name}`,
            );
        }
      }
      check(`measure ${name} filter`, () => whereOf(definition, measure.where));
    }
  }
  return problems.length > 0 ? [...new Set(problems)].join('; ') : undefined;
}

/**
 * @internal Builds and checks the KPI registry of an engine's plugins, once, in `createCrm`: a
 * KPI id defined twice, a source or measure over a field its object does not have, a dimension
 * its sources cannot be grouped by, or two sources with one key that differ is an UNSUPPORTED
 * error at startup naming the plugin and the KPI, not a user's VALIDATION error at evaluate time.
 */
export function buildKpiRegistry(
  plugins: readonly KpiProvider[],
  context: KpiRegistryContext,
): KpiRegistry {
  const registry = new Map<string, AnyKpiDefinition>();
  const pluginOf = new Map<string, string>();
  const keyed = new Map<string, { source: AnyKpiSource; kpi: string }>();
  for (const plugin of plugins) {
    for (const kpi of plugin.kpis ?? []) {
      const fail = (reason: string): never => {
        throw new RapportError('UNSUPPORTED', `plugin ${plugin.id}, KPI ${kpi.id}: ${reason}`, {
          object: 'kpi',
          id: kpi.id,
        });
      };
      const earlier = pluginOf.get(kpi.id);
      if (earlier !== undefined)
        fail(
          earlier === plugin.id
            ? 'the id is defined twice in this plugin'
            : `the id is already defined by plugin ${earlier}`,
        );
      const problem = problemOf(kpi, context);
      if (problem) fail(problem);
      const sources = isDeclaredKpi(kpi)
        ? Object.values(kpi.measures).map((m) => m.source)
        : (kpi.sources ?? []);
      for (const source of sources) {
        if (source.key === undefined) continue;
        const first = keyed.get(source.key);
        if (!first) keyed.set(source.key, { source, kpi: kpi.id });
        else if (
          first.source !== source &&
          (first.source.object !== source.object ||
            first.source.date !== source.date ||
            stableKey(first.source.where) !== stableKey(source.where))
        )
          fail(
            `source key ${source.key} names a different source than in KPI ${first.kpi} (same key, other object, date or filters)`,
          );
      }
      registry.set(kpi.id, kpi);
      pluginOf.set(kpi.id, plugin.id);
    }
  }
  return registry;
}

const registries = new WeakMap<EngineState, KpiRegistry>();

/** @internal Attaches the registry `createCrm` built to its engine. */
export function registerKpis(engine: EngineState, registry: KpiRegistry): void {
  registries.set(engine, registry);
}

/** @internal The KPI registry of an engine (empty for an engine made without `createCrm`). */
export function kpiRegistryOf(engine: EngineState): KpiRegistry {
  return registries.get(engine) ?? new Map();
}
