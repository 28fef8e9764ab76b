/** A small element builder: h("button", { onclick }, "Send"). Strings become text nodes,
 * so nothing a user typed is ever parsed as HTML. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Runs a re-render and gives the focus and the caret back to the field being typed
 * into, when it is still on the page (the forms made once are moved into the new tree,
 * which takes them out of the page for a moment and drops both: the keys typed next, on
 * a re-render for a live event, went nowhere). */
export function keepingFocus(render: () => void): void {
  const focused = document.activeElement;
  const field = focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement
    ? focused : null;
  const start = field?.selectionStart ?? null;
  const end = field?.selectionEnd ?? null;
  render();
  if (field && field.isConnected && document.activeElement !== field) {
    field.focus({ preventScroll: true });
    if (start !== null && end !== null) field.setSelectionRange(start, end);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren(
    ...children.flat().filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
}

/** The message of whatever a call threw, for the page's error lines. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "12:03", or the date too when it is not today. */
export function formatTime(ms: string | number | undefined): string {
  if (!ms) return "";
  const when = new Date(Number(ms));
  const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return when.toDateString() === new Date().toDateString()
    ? time
    : `${when.toLocaleDateString()} ${time}`;
}
