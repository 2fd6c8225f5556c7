/**
 * The element a listener is attached to, checked to be of the expected kind: `currentTarget` is
 * typed `EventTarget | null`, and a listener on a template's element always has one.
 *
 * @example
 * const select = currentElement(new Event('change'), HTMLSelectElement);
 */
export function currentElement<TElement extends Element>(
  event: Event,
  kind: { new (): TElement; readonly prototype: TElement },
): TElement {
  const target = event.currentTarget;
  if (!(target instanceof kind)) throw new TypeError(`the listener is not on a ${kind.name}`);
  return target;
}
