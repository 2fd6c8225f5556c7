import { retryingAfter429 } from '@rapport/workspace';

/** The KPI catalogue entry the API returns at GET /kpis. */
export interface KpiInfo {
  readonly id: string;
  readonly group: string;
  readonly title: { readonly en: string; readonly de: string };
  readonly description: string;
  readonly unit: 'money' | 'ratio' | 'count' | 'duration' | 'number';
  readonly direction: 'higher' | 'lower' | 'neutral';
  readonly dimensions: readonly string[];
}

/** A 95% interval of a proportion. */
export interface KpiInterval {
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

/** A value with its sample, interval and comparison. */
export interface KpiFigure {
  readonly value: number | null;
  readonly reason: string | null;
  readonly sampleSize: number;
  readonly interval: KpiInterval | null;
  readonly previous: {
    readonly value: number | null;
    readonly change: number | null;
    readonly relativeChange: number | null;
    readonly period: { readonly label: string };
  } | null;
}

/** One KPI's result, as GET /kpis/evaluate returns it. */
export interface KpiResult extends KpiFigure {
  readonly id: string;
  readonly group: string;
  readonly title: { readonly en: string; readonly de: string };
  readonly unit: KpiInfo['unit'];
  readonly direction: KpiInfo['direction'];
  readonly currency: string | null;
  readonly period: {
    readonly label: string;
    readonly start: string | null;
    readonly end: string | null;
  };
  readonly breakdown:
    | readonly (KpiFigure & { readonly key: string | null; readonly label: string | null })[]
    | null;
  readonly items: readonly Readonly<Record<string, unknown>>[];
}

/** An RFC 9457 problem from the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the dashboard asks of a KPI evaluation. */
export interface EvaluateQuery {
  readonly ids: readonly string[];
  readonly period: string;
  readonly by?: string;
  readonly filters?: Readonly<Record<string, string>>;
  readonly compare?: boolean;
}

/**
 * KPI evaluations one API key may run at once (the API's default; more get 429). The dashboard
 * sends its evaluations through this many lanes, in the order it asks for them, so that all of
 * them are in flight as far as the API allows and none is refused.
 */
const evaluationLanes = 2;

/** Runs at most `lanes` of the given calls at a time, first come first served. */
function lanesOf(lanes: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(call: () => Promise<T>): Promise<T> => {
    if (running >= lanes) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await call();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** A small client of the Rapport API with an API key. */
export function createApiClient(base: string, key: string) {
  const inLane = lanesOf(evaluationLanes);
  // The lanes keep this page within the bound; calls a page left behind (a reload, another
  // view) may still hold it on the server for a moment, so a 429 waits out its Retry-After.
  const send = retryingAfter429();
  async function get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const response = await send(`${base}${path}${query ? `?${query}` : ''}`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as {
        code?: string;
        detail?: string;
      };
      throw new ApiError(
        response.status,
        problem.code ?? 'HTTP',
        problem.detail ?? response.statusText,
      );
    }
    return (await response.json()) as T;
  }
  return {
    get,
    async evaluate(query: EvaluateQuery): Promise<Record<string, KpiResult>> {
      if (query.ids.length === 0) return {};
      const params: Record<string, string> = { ids: query.ids.join(','), period: query.period };
      if (query.by) params.by = query.by;
      if (query.compare === false) params.compare = 'false';
      for (const [dimension, value] of Object.entries(query.filters ?? {})) {
        params[`filter[${dimension}]`] = value;
      }
      return inLane(
        async () =>
          (await get<{ results: Record<string, KpiResult> }>('/kpis/evaluate', params)).results,
      );
    },
    /**
     * Every KPI of the catalogue for a period, with no filter (the API's default when `ids` is
     * left out): sent before the catalogue is known, so a page's totals do not wait for it.
     */
    evaluateAll(period: string): Promise<Record<string, KpiResult>> {
      return inLane(
        async () =>
          (await get<{ results: Record<string, KpiResult> }>('/kpis/evaluate', { period })).results,
      );
    },
  };
}

/** The client's type. */
export type ApiClient = ReturnType<typeof createApiClient>;
