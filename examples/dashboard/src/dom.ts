type Child = Node | string | null | undefined | false;

/** Makes an element; text goes in as text, never as HTML. */
export function h<TTag extends keyof HTMLElementTagNameMap>(
  tag: TTag,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[TTag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** A `<select>` with options and a change handler. */
export function select(
  id: string,
  options: readonly { readonly value: string; readonly label: string }[],
  value: string,
  onChange: (value: string) => void,
): HTMLSelectElement {
  const element = h('select', { id, name: id });
  for (const option of options) {
    element.append(
      h('option', { value: option.value, selected: option.value === value }, option.label),
    );
  }
  element.addEventListener('change', () => onChange(element.value));
  return element;
}
