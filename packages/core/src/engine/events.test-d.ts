import { describe, expectTypeOf, it } from 'vitest';
import { createCrm } from '../crm/create-crm.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { RapportEvents, RecordEvent } from './events.js';
import type { HookContext } from './hooks.js';

declare const storage: RapportStorage;
const crm = createCrm({ storage });

describe('events', () => {
  it('handlers receive the payload of their event type', () => {
    crm.events.on('record.created', (event) => {
      expectTypeOf(event).toEqualTypeOf<RecordEvent>();
      expectTypeOf(event.record.id).toEqualTypeOf<string>();
      expectTypeOf(event.actor).toEqualTypeOf<Actor>();
    });
    crm.events.on('opportunity.stageChanged', (event) => {
      expectTypeOf(event.fromStage).toEqualTypeOf<string>();
      expectTypeOf(event.toStage).toEqualTypeOf<string>();
    });
    crm.events.on('opportunity.closed', (event) => {
      expectTypeOf(event.won).toEqualTypeOf<boolean>();
    });
    crm.events.on('lead.converted', (event) => {
      expectTypeOf(event.opportunityId).toEqualTypeOf<string | null>();
      expectTypeOf(event).not.toHaveProperty('record');
    });
  });

  it('an unknown event or a mismatched handler does not compile', () => {
    // @ts-expect-error there is no such event
    crm.events.on('record.exploded', () => {});
    // @ts-expect-error lead.converted has no won flag
    crm.events.on('lead.converted', (event: RapportEvents['opportunity.closed']) => event.won);
  });
});

describe('hooks', () => {
  it('receive the data, the previous record and a scope', () => {
    createCrm({
      storage,
      hooks: {
        opportunity: {
          beforeUpdate: ({ data, previous, scope, actor }) => {
            // Typed per object since hooks are typed from the object (was Record<string, unknown>).
            expectTypeOf(data.amount).toEqualTypeOf<number | null>();
            expectTypeOf(previous.version).toEqualTypeOf<number>();
            expectTypeOf(actor).toEqualTypeOf<Actor>();
            expectTypeOf(scope.opportunities.closeWon).toBeFunction();
            return { nextStep: 'Checked by a hook' };
          },
          afterDelete: (context) => {
            expectTypeOf(context).toMatchTypeOf<HookContext<unknown>>();
          },
        },
      },
    });
  });

  it('a before hook returns values or nothing', () => {
    createCrm({
      storage,
      hooks: {
        account: {
          // @ts-expect-error a hook returns an object of values, not a string
          beforeCreate: () => 'rename',
        },
      },
    });
  });
});
