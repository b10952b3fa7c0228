// Lifecycle events out of the core: each is logged once and handed to every subscriber.
import type { Logger } from 'pino';
import type { LifecycleEvent } from '../core/lifecycle-event.js';

export class EventBus {
  readonly #listeners = new Set<(e: LifecycleEvent) => void>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  publish(event: LifecycleEvent): void {
    // The log line's own `pid` is the emperor's: the instance's goes by another name, so that
    // no line carries the key twice (JSON parsers keep only one of them).
    const { message, vassal, at: _at, type, level, ...fields } = event;
    const { pid, ...rest } = fields as typeof fields & { pid?: number };
    this.#log[level]({ vassal, event: type, ...rest, ...(pid === undefined ? {} : { instancePid: pid }) }, message);
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#log.error({ err }, 'event listener failed');
      }
    }
  }

  subscribe(listener: (e: LifecycleEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
