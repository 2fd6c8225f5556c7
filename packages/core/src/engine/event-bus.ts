import mittModule, { type Emitter } from 'mitt';
import type { RapportEvents } from './events.js';

type EventMap = { [K in keyof RapportEvents]: RapportEvents[K] };

// mitt's typings declare an ES default export on a CommonJS package, so under NodeNext the
// default import is typed as the module object. At run time it is the function (ESM and CJS).
const mitt = ((mittModule as unknown as { default?: typeof mittModule.default }).default ??
  mittModule) as unknown as typeof mittModule.default;

/** @internal A typed event bus for Rapport's events. */
export function createEventBus(): Emitter<EventMap> {
  return mitt<EventMap>();
}

/** @internal */
export type EventBus = Emitter<EventMap>;
