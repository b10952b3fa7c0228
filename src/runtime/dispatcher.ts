// The one writer: every event for every vassal goes through `dispatch`, one at a time, into the
// pure core. It owns the vassal records and their wake-up timers, answers commands from the
// core's answer effects, and hands every effect to the interpreter.
import { unknownVassal } from '../core/commands.js';
import type { CommandAnswer, VassalAction } from '../core/command-types.js';
import type { Effect } from '../core/effects.js';
import type { VassalEvent } from '../core/events.js';
import { step } from '../core/step.js';
import { stopAfter, stopSequence } from '../core/stop-order.js';
import type { Backoff } from '../core/restart-policy.js';
import { newVassal, servesOthers, type Vassal } from '../core/vassal.js';
import type { Clock } from './clock.js';

export type Interpret = (name: string, vassal: Vassal, effect: Effect) => void;

export interface DispatcherDeps {
  readonly clock: Clock;
  /** The emperor-wide backoff past a vassal's restart burst. */
  readonly backoff: Backoff;
}

interface Entry {
  vassal: Vassal;
  timer: NodeJS.Timeout | null;
}

export class Dispatcher {
  readonly #entries = new Map<string, Entry>();
  readonly #queue: { name: string; event: VassalEvent }[] = [];
  readonly #answers = new Map<number, (answer: CommandAnswer) => void>();
  readonly #forgotten = new Set<(name: string) => void>();
  readonly #deps: DispatcherDeps;
  #interpret: Interpret = () => undefined;
  #nextCommand = 0;
  #draining = false;
  /** The vassals with a ready instance (for `after`), kept up to date after every step. */
  readonly #ready = new Set<string>();
  /** The vassals winding down with instances left (stop order), kept up to date after every step. */
  readonly #stopping = new Set<string>();
  /**
   * The vassals whose spec names others in `after`, kept up to date after every step: readiness
   * and stop changes look only at them. Scanning every vassal at each change made starting a
   * fleet quadratic (0.6 s of 1000 vassals' start, 25 times that at 5000).
   */
  readonly #dependents = new Set<string>();
  readonly #afterOf = (name: string): readonly string[] => this.#entries.get(name)?.vassal.spec?.after ?? [];

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** Set once by the composition root: the interpreter needs the dispatcher to report back. */
  setInterpreter(interpret: Interpret): void {
    this.#interpret = interpret;
  }

  // Queues an event for a vassal (creating the vassal on its first file event) and runs the queue.
  dispatch(name: string, event: VassalEvent, file?: string): void {
    if (!this.#entries.has(name)) {
      if (event.type !== 'file-loaded' && event.type !== 'file-invalid') return;
      this.#entries.set(name, { vassal: newVassal(name, file ?? ''), timer: null });
    }
    // A file that names vassals to wait for learns which are ready before it is applied.
    if (event.type === 'file-loaded' && event.spec.after?.length) this.#queue.push({ name, event: { type: 'peers-ready', names: this.#readyNames() } });
    this.#queue.push({ name, event });
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) this.#run(item.name, item.event);
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Sends `event` to each of `names`, dependents before what they depend on (`after`): when
   * several vassals stop together, each learns which of its dependents stop too before its
   * own stop arrives, and stops after them (see core/stop-order.ts).
   */
  dispatchInStopOrder(names: readonly string[], event: VassalEvent): void {
    for (const name of stopSequence(names, this.#afterOf)) this.dispatch(name, event);
  }

  /**
   * Sends an operator's command; the core's answer resolves the promise. Its outcome follows
   * as a `done` lifecycle event carrying the same id.
   */
  command(name: string, action: VassalAction): { readonly id: number; readonly answer: Promise<CommandAnswer> } {
    const id = ++this.#nextCommand;
    if (!this.#entries.has(name)) return { id, answer: Promise.resolve({ ...unknownVassal(name, this.names()), id }) };
    const answer = new Promise<CommandAnswer>((resolve) => this.#answers.set(id, resolve));
    this.dispatch(name, { type: 'command', id, action });
    return { id, answer };
  }

  /**
   * Sends one operator's command to several vassals in one turn, each with its own id. Stops go
   * in stop order (as `dispatchInStopOrder`), so a vassal whose dependents are in the batch
   * holds its stop until they are gone; other actions go in the order given.
   */
  commandAll(names: readonly string[], action: VassalAction): { readonly name: string; readonly id: number; readonly answer: Promise<CommandAnswer> }[] {
    const order = action === 'stop' ? stopSequence(names, this.#afterOf) : names;
    return order.map((name) => ({ name, ...this.command(name, action) }));
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  vassal(name: string): Vassal | undefined {
    return this.#entries.get(name)?.vassal;
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  vassals(): Vassal[] {
    return [...this.#entries.values()].map((e) => e.vassal);
  }

  onForget(listener: (name: string) => void): void {
    this.#forgotten.add(listener);
  }

  /** At exit: cancels every timer. */
  dispose(): void {
    for (const e of this.#entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = null;
    }
  }

  #run(name: string, event: VassalEvent): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    const now = this.#deps.clock();
    const result = step(entry.vassal, event, now, this.#deps.backoff);
    entry.vassal = result.vassal;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = result.wakeAt === null ? null : setTimeout(() => this.dispatch(name, { type: 'tick' }), Math.max(0, result.wakeAt - now));
    if (entry.vassal.spec?.after?.length) this.#dependents.add(name);
    else this.#dependents.delete(name);
    for (const effect of result.effects) {
      if (effect.type === 'answer') this.#answer(effect.answer);
      if (effect.type === 'forget') this.#forget(name, entry);
      this.#interpret(name, entry.vassal, effect);
    }
    this.#noteReady(name, entry.vassal);
    this.#noteStopping(name, entry.vassal);
  }

  #answer(answer: CommandAnswer): void {
    const resolve = this.#answers.get(answer.id);
    this.#answers.delete(answer.id);
    resolve?.(answer);
  }

  #forget(name: string, entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    this.#entries.delete(name);
    this.#dependents.delete(name);
    for (const l of this.#forgotten) l(name);
  }

  // When this vassal became ready or stopped being ready, tells the vassals that name it in
  // `after` (only those: a fleet of 1000 without `after` must not pay for it).
  #noteReady(name: string, vassal: Vassal): void {
    const serves = this.#entries.has(name) && servesOthers(vassal);
    if (serves === this.#ready.has(name)) return;
    if (serves) this.#ready.add(name);
    else this.#ready.delete(name);
    const dependents = this.#dependentsOf(name);
    const names = dependents.length > 0 ? this.#readyNames() : [];
    for (const other of dependents) this.#queue.push({ name: other, event: { type: 'peers-ready', names } });
  }

  // The vassals whose `after` names `name`.
  #dependentsOf(name: string): string[] {
    return [...this.#dependents].filter((other) => this.#afterOf(other).includes(name));
  }

  // When this vassal started or finished winding down with instances left, tells the vassals it
  // names in `after` which of their dependents they now stop after. Always sent (never compared
  // with what the vassal last saw): an update still in the queue would make a comparison wrong.
  #noteStopping(name: string, vassal: Vassal): void {
    const stopping = this.#entries.has(name) && vassal.wish.want !== 'up' && vassal.instances.length > 0;
    if (stopping === this.#stopping.has(name)) return;
    if (stopping) this.#stopping.add(name);
    else this.#stopping.delete(name);
    for (const dep of new Set(vassal.spec?.after ?? [])) {
      if (!this.#entries.has(dep)) continue;
      const names = stopAfter(dep, this.#dependentsOf(dep), (n) => this.#stopping.has(n), this.#afterOf);
      this.#queue.push({ name: dep, event: { type: 'dependents-stopping', names } });
    }
  }

  #readyNames(): string[] {
    return [...this.#ready].sort();
  }
}
