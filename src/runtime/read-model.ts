// What the emperor shows: vassal status records and captured output, read from the dispatcher's
// vassals and the instances' output rings. It never changes anything.
import { toStatus } from '../core/snapshot.js';
import type { OutputLine, VassalStatus } from '../core/status.js';
import type { Clock } from './clock.js';
import type { Dispatcher } from './dispatcher.js';
import type { InstanceWiring } from './instance-wiring.js';

export class ReadModel {
  readonly #dispatcher: Dispatcher;
  readonly #instances: InstanceWiring;
  readonly #clock: Clock;

  constructor(dispatcher: Dispatcher, instances: InstanceWiring, clock: Clock) {
    this.#dispatcher = dispatcher;
    this.#instances = instances;
    this.#clock = clock;
  }

  names(): string[] {
    return this.#dispatcher.names();
  }

  list(): VassalStatus[] {
    const now = this.#clock();
    return this.#dispatcher
      .vassals()
      .map((v) => toStatus(v, now))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): VassalStatus | undefined {
    const v = this.#dispatcher.vassal(name);
    return v ? toStatus(v, this.#clock()) : undefined;
  }

  output(name: string, limit: number, since: number | null): Promise<OutputLine[]> | undefined {
    if (!this.#dispatcher.vassal(name)) return undefined;
    return this.#instances.history(name, limit, since);
  }

  followOutput(name: string, listener: (line: OutputLine) => void): () => void {
    if (!this.#dispatcher.vassal(name)) return () => undefined;
    return this.#instances.output(name).follow(listener);
  }

  followAllOutput(listener: (vassal: string, line: OutputLine) => void): () => void {
    return this.#instances.followAll(listener);
  }

  droppedLogLines(): ReadonlyMap<string, number> {
    return this.#instances.droppedLines();
  }

  /** Instances still alive across the fleet (shutdown waits for 0). */
  liveInstances(): number {
    let n = 0;
    for (const v of this.#dispatcher.vassals()) n += v.instances.length;
    return n;
  }
}
