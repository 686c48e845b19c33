// The latest value of something live (a dashboard snapshot), for React's useSyncExternalStore.
// Whoever receives updates calls set(); the views subscribe and read getSnapshot().

/** What the live views read: a subscription and the latest value (undefined until there is one). */
export interface SnapshotSource<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T | undefined;
}

export class SnapshotStore<T> implements SnapshotSource<T> {
  readonly #listeners = new Set<() => void>();
  #value: T | undefined;

  constructor(initial?: T) {
    this.#value = initial;
  }

  /** Replace the value and tell the subscribers. */
  set(value: T): void {
    this.#value = value;
    for (const l of [...this.#listeners]) l();
  }

  /** Subscribe to changes; returns the unsubscribe function. Bound, so it can be passed as is. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  /** The latest value (undefined before the first set). Bound, so it can be passed as is. */
  readonly getSnapshot = (): T | undefined => this.#value;
}
