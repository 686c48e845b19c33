// A small typed event emitter. `safeEmit` never lets a listener's exception escape into the emitter.
import { EventEmitter } from 'node:events';
import { logger } from './log.js';

const log = logger('emitter');

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  readonly #ee = new EventEmitter();

  constructor() {
    this.#ee.setMaxListeners(Infinity);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.on(event, listener as (...a: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.once(event, listener as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.off(event, listener as (...a: unknown[]) => void);
    return this;
  }

  /** Emit; a listener that throws is logged and does not break the others or the caller. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    if (this.#ee.listenerCount(event) === 0) return false; // hot paths emit per packet: skip the array copy
    const listeners = this.#ee.listeners(event);
    for (const l of listeners) {
      try {
        (l as (...a: E[K]) => void)(...args);
      } catch (err) {
        log('listener for %s threw: %O', event, err);
      }
    }
    return listeners.length > 0;
  }

  removeAllListeners(): void {
    this.#ee.removeAllListeners();
  }
}
