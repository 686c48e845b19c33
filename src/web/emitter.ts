// A tiny typed event emitter for the page (src/web cannot import src/core at runtime). A listener that
// throws is reported and does not stop the others.

type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  #listeners: { [K in keyof E]?: Set<Listener<E[K]>> } = {};

  /** Subscribe; returns the unsubscribe function. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const set = this.#listeners[event] ?? new Set<Listener<E[K]>>();
    this.#listeners[event] = set;
    set.add(listener);
    return () => set.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const l of [...(this.#listeners[event] ?? [])]) {
      try {
        l(...args);
      } catch (err) {
        console.error(`jiaoyan: ${String(event)} listener failed`, err);
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners = {};
  }
}
