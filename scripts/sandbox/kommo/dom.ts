/**
 * The page's elements, built with the DOM: text goes in as text nodes and attribute values
 * through setAttribute, so the double has nothing to escape. Markup the widget hands over as
 * HTML (Kommo's notification texts) is the only thing assigned to innerHTML, where it is shown.
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/** An element of the sandbox page's chrome (scripts/sandbox/public/index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}
