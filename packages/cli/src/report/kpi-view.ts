/**
 * What the CLI reads of a KPI definition. Structural, so any plugin's KPIs render without the
 * CLI knowing them: new plugins appear in reports with no code change.
 */
export interface KpiDefinitionView {
  readonly id: string;
  readonly group: string;
  readonly title: { readonly en: string; readonly de: string };
  readonly unit: string;
  readonly dimensions: readonly string[];
}

/** A KPI value for a period or a group, with the previous period. */
export interface KpiFigureView {
  readonly value: number | null;
  readonly reason: string | null;
  readonly sampleSize: number;
  readonly previous: {
    readonly value: number | null;
    readonly sampleSize: number;
    readonly change: number | null;
    readonly relativeChange: number | null;
    readonly period: { readonly label: string };
  } | null;
}

/** What the CLI reads of a KPI result. */
export interface KpiResultView extends KpiFigureView {
  readonly id: string;
  readonly group: string;
  readonly title: { readonly en: string; readonly de: string };
  readonly unit: string;
  readonly currency: string | null;
  readonly period: { readonly label: string };
  readonly breakdown:
    | readonly (KpiFigureView & {
        readonly key: string | null;
        readonly label: string | null;
      })[]
    | null;
}

/** Options the CLI passes to an evaluation: what a person typed; the engine validates it. */
export interface KpiRequest {
  readonly period?: string;
  readonly by?: string;
}

/** What the CLI uses of `scope.kpis`. */
export interface KpiServiceView {
  evaluate(
    ids: readonly string[],
    request?: KpiRequest,
  ): Promise<Readonly<Record<string, KpiResultView>>>;
  definitions(): readonly KpiDefinitionView[];
}

/**
 * The KPI service of a scope, checked at run time (the engine has one when KPI plugins are
 * installed). Periods and dimensions pass as typed; the engine rejects bad ones with a
 * VALIDATION error that the CLI prints.
 *
 * @example
 * const kpis = kpiServiceOf(scope);
 * const results = await kpis?.evaluate(['closing.winRate'], { period: '2026-Q3' });
 */
export function kpiServiceOf(scope: object): KpiServiceView | undefined {
  const service: unknown = 'kpis' in scope ? scope.kpis : undefined;
  return isKpiService(service) ? service : undefined;
}

function isKpiService(value: unknown): value is KpiServiceView {
  return (
    typeof value === 'object' &&
    value !== null &&
    'evaluate' in value &&
    typeof value.evaluate === 'function' &&
    'definitions' in value &&
    typeof value.definitions === 'function'
  );
}
