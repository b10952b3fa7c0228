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
    const { message, vassal, at: _at, type, ...fields } = event;
    this.#log.info({ vassal, event: type, ...fields }, message);
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
