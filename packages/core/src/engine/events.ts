import type { Actor } from '../tenancy/actor.js';

/** Fields every event carries. */
export interface EventBase {
  /** The tenant. */
  readonly tenantId: string;
  /** Who did it. */
  readonly actor: Actor;
}

/** A record event. */
export interface RecordEvent extends EventBase {
  /** The object name: `opportunity`, `lead`, ... */
  readonly object: string;
  /** The record after the change (before it, for deletions). */
  readonly record: { readonly id: string } & Record<string, unknown>;
  /** The record before an update. */
  readonly previous?: { readonly id: string } & Record<string, unknown>;
}

/**
 * The events Rapport emits after a transaction commits. Plugins add their own by module
 * augmentation:
 *
 * @example
 * declare module '@rapport/core' {
 *   interface RapportEvents { 'nps.scored': EventBase & { score: number } }
 * }
 * crm.events.on('record.created', (e) => console.log(e.object, e.record.id));
 */
export interface RapportEvents {
  /** A record was created. */
  'record.created': RecordEvent;
  /** A record was updated. */
  'record.updated': RecordEvent;
  /** A record was deleted. */
  'record.deleted': RecordEvent;
  /** An opportunity moved to another stage. */
  'opportunity.stageChanged': RecordEvent & {
    readonly fromStage: string;
    readonly toStage: string;
  };
  /** An opportunity was closed won or lost. */
  'opportunity.closed': RecordEvent & { readonly won: boolean };
  /** A lead was converted. */
  'lead.converted': EventBase & {
    readonly leadId: string;
    readonly accountId: string;
    readonly contactId: string;
    readonly opportunityId: string | null;
  };
}

/** @internal An event waiting for its transaction to commit. */
export type PendingEvent = {
  [K in keyof RapportEvents]: { type: K; payload: RapportEvents[K] };
}[keyof RapportEvents];

/**
 * Subscribing to the engine's events after commit: what `crm.events` and a plugin's `ctx.events`
 * offer.
 *
 * @example
 * const events: EventSubscriptions = crm.events;
 * events.on('record.created', (event) => console.log(event.object, event.record.id));
 */
export interface EventSubscriptions {
  /** Calls `handler` for every event of `type`. */
  on<TType extends keyof RapportEvents>(
    type: TType,
    handler: (event: RapportEvents[TType]) => void,
  ): void;
  /** Stops calling `handler`. */
  off<TType extends keyof RapportEvents>(
    type: TType,
    handler: (event: RapportEvents[TType]) => void,
  ): void;
}
