/** @internal A record as the engine handles it: plain fields plus `custom`. */
export type StoredRecord = Record<string, unknown> & {
  readonly id: string;
  readonly version: number;
  readonly custom: Record<string, unknown>;
};
