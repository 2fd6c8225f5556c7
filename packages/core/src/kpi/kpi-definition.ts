/**
 * A KPI definition, as made by `defineKpi`. (The KPI engine fills this contract in.)
 */
export interface AnyKpiDefinition {
  /** Stable id, `group.name`: `closing.winRate`. */
  readonly id: string;
}
