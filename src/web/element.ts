// Small DOM helpers of the recording player (the join page has its own, translated, in dom.ts).

/** An element with a class, an id and text (set as textContent, never HTML), and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; id?: string; text?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.id) e.id = props.id;
  if (props.text !== undefined) e.textContent = props.text;
  e.append(...children);
  return e;
}

/** Seconds as m:ss. */
export const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
