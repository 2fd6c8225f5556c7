import type { ObjectName } from '../objects/standard-objects.js';
import type { AnyRapportPlugin, CustomFieldsConfig } from '../plugins/define-plugin.js';

type UnionToIntersection<TUnion> = (
  TUnion extends unknown
    ? (arg: TUnion) => void
    : never
) extends (arg: infer TIntersection) => void
  ? TIntersection
  : never;

type PluginFieldsFor<TPlugin, TName extends ObjectName> = TPlugin extends {
  readonly fields?: infer TFields;
}
  ? TName extends keyof TFields
    ? NonNullable<TFields[TName]>
    : {}
  : {};

/**
 * The custom field schemas of every object: the config's and every plugin's, merged.
 *
 * @example
 * type Custom = MergeCustomFields<[typeof npsPlugin], { lead: { score: z.ZodNumber } }>;
 */
export type MergeCustomFields<
  TPlugins extends readonly AnyRapportPlugin[],
  TFields extends CustomFieldsConfig,
> = {
  [TName in ObjectName]: (TName extends keyof TFields ? NonNullable<TFields[TName]> : {}) &
    UnionToIntersection<PluginFieldsFor<TPlugins[number], TName> | {}>;
};
