/**
 * Tiny DOM helpers. Every string from data (categories, street names, file names, messages)
 * goes into the page through `textContent` or an attribute value, never through innerHTML:
 * a category of `<img src=x onerror=alert(1)>` is shown as those characters and nothing runs.
 */

export type Child = Node | string | number | null | undefined | false;

export interface ElementOptions {
  readonly className?: string;
  readonly id?: string;
  /** Attributes, set with setAttribute (values are text, never parsed as HTML). */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/**
 * Create an element with text or element children.
 * @example
 * el('td', {}, '<b>x</b>').textContent // => '<b>x</b>'
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.id) node.id = options.id;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, handler] of Object.entries(options.on ?? {})) {
    node.addEventListener(type, handler as EventListener);
  }
  append(node, ...children);
  return node;
}

/** Append children; strings become text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Remove all children, then append the given ones. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Find a required element by id (throws when the page is not what this code expects). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page element #${id} is missing`);
  return node as T;
}

/** Format a number with a fixed count of decimals, or '–' for a missing value. */
export function fmt(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(decimals);
}

/** Format a share in [0, 1] as a percentage. */
export function pct(share: number | null | undefined, decimals = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(decimals)}%`;
}

/** Offer a Blob as a file download (through a Blob URL, revoked afterwards). */
export function download(fileName: string, content: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }));
  const link = el('a', { attrs: { href: url, download: fileName } });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
