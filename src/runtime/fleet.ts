// The one writer: every event for every vassal goes through `dispatch`, one at a time, into the
// pure core; the effects that come back are carried out here. Nothing else changes vassal state.
import type { Logger } from 'pino';
import type { VassalEvent } from '../core/events.js';
import type { Effect } from '../core/effects.js';
import type { LifecycleEvent } from '../core/status.js';
import { toStatus } from '../core/snapshot.js';
import { step } from '../core/step.js';
import type { ThrottlePolicy } from '../core/throttle.js';
import { newVassal, type Vassal } from '../core/vassal.js';
import { bindSockets, type HeldSocket } from './held-sockets.js';
import type { InstanceJournal } from './instance-journal.js';
import { OutputRing } from './output-buffer.js';
import { spawnInstance, type InstanceHandle } from './spawn-instance.js';
import { openOutputFile, type OutputFile } from './output-file.js';
import { RecentLines } from './recent-lines.js';
import { openNotifySocket, type NotifySocket } from './notify-socket.js';
import { join } from 'node:path';

const OUTPUT_LINES_KEPT = 1000;
const RECENT_LINES = 20;

interface Slot {
  vassal: Vassal;
  timer: NodeJS.Timeout | null;
  readonly handles: Map<number, InstanceHandle>;
  readonly ring: OutputRing;
  sockets: HeldSocket[];
  logFile: OutputFile | null;
}

export interface FleetDeps {
  readonly log: Logger;
  /** Where per-instance NOTIFY_SOCKETs are created. */
  readonly runDir: string;
  readonly policy: ThrottlePolicy;
  readonly journal: InstanceJournal;
  readonly clock?: () => number;
}

export class Fleet {
  readonly #slots = new Map<string, Slot>();
  readonly #queue: { name: string; event: VassalEvent }[] = [];
  readonly #listeners = new Set<(e: LifecycleEvent) => void>();
  readonly #forgotten = new Set<(name: string) => void>();
  readonly #deps: FleetDeps;
  readonly #now: () => number;
  #draining = false;
  #warnedNoNotifySocket = false;

  constructor(deps: FleetDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? Date.now;
  }

  // Queues an event for a vassal (creating the vassal on its first file event) and runs the queue.
  dispatch(name: string, event: VassalEvent, file?: string): void {
    if (!this.#slots.has(name)) {
      if (event.type !== 'file-loaded' && event.type !== 'file-invalid') return;
      this.#slots.set(name, { vassal: newVassal(name, file ?? ''), timer: null, handles: new Map(), ring: new OutputRing(OUTPUT_LINES_KEPT), sockets: [], logFile: null });
    }
    this.#queue.push({ name, event });
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) this.#run(item.name, item.event);
    } finally {
      this.#draining = false;
    }
  }

  #run(name: string, event: VassalEvent): void {
    const slot = this.#slots.get(name);
    if (!slot) return;
    const now = this.#now();
    const result = step(slot.vassal, event, now, this.#deps.policy);
    slot.vassal = result.vassal;
    for (const effect of result.effects) this.#apply(name, slot, effect);
    if (!this.#slots.has(name)) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = result.wakeAt === null ? null : setTimeout(() => this.dispatch(name, { type: 'tick' }), Math.max(0, result.wakeAt - now));
  }

  #apply(name: string, slot: Slot, effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        this.#spawn(name, slot, effect);
        return;
      case 'stop':
        slot.handles.get(effect.generation)?.stop();
        return;
      case 'kill':
        slot.handles.get(effect.generation)?.kill();
        return;
      case 'uwsgi-reload':
        slot.handles.get(effect.generation)?.sendUwsgi(1);
        return;
      case 'hold-sockets':
        void this.#holdSockets(name, slot, effect.key, effect);
        return;
      case 'forget':
        if (slot.timer) clearTimeout(slot.timer);
        for (const s of slot.sockets) s.close();
        slot.logFile?.close();
        this.#slots.delete(name);
        for (const l of this.#forgotten) l(name);
        return;
      case 'emit':
        this.#publish(effect.event);
        return;
    }
  }

  #spawn(name: string, slot: Slot, effect: Extract<Effect, { type: 'spawn' }>): void {
    const { generation, process: proc } = effect;
    if (proc.logto && !slot.logFile) slot.logFile = openOutputFile(proc.logto, this.#deps.log);
    const log = this.#deps.log.child({ vassal: name, generation });
    let pid = 0;
    const recent = new RecentLines(RECENT_LINES);
    const onNotify = (line: string): void => {
      if (line.trim() === 'READY=1') this.dispatch(name, { type: 'ready', generation });
      else if (line.startsWith('STATUS=')) this.dispatch(name, { type: 'status-text', generation, text: line.slice(7) });
    };
    const notifySocket = proc.ready.kind === 'notify' && proc.protocol === 'plain' ? this.#openNotifySocket(name, generation, onNotify) : null;
    const handle = spawnInstance(
      {
        vassal: name,
        generation,
        role: effect.role,
        process: proc,
        sockets: slot.sockets.map((s) => ({ name: s.spec.name, fd: s.fd })),
        ...(notifySocket ? { extraEnv: { NOTIFY_SOCKET: notifySocket.path } } : {}),
      },
      {
        spawned: (p) => this.dispatch(name, { type: 'spawned', generation, pid: p }),
        spawnFailed: (error, notFound) => {
          notifySocket?.close();
          const key = effect.role === 'standin' ? 'emperor.standin.command' : 'emperor.command';
          this.dispatch(name, { type: 'spawn-failed', generation, error: `${slot.vassal.file}: ${key}: ${error}`, notFound });
        },
        line: (stream, line) => {
          recent.push(line);
          slot.ring.push({ at: Date.now(), generation, stream, line });
          if (proc.logto) slot.logFile?.write(line);
          else log.info({ stream }, line);
          if (proc.ready.kind === 'log' && matches(proc.ready.pattern, line)) this.dispatch(name, { type: 'ready', generation });
        },
        notify: onNotify,
        uwsgiByte: (byte) => this.dispatch(name, { type: 'uwsgi-byte', generation, byte }),
        exited: (code, signal) => {
          slot.handles.delete(generation);
          notifySocket?.close();
          if (pid) this.#deps.journal.ended(pid);
          this.dispatch(name, { type: 'exited', generation, code, signal, output: recent.mostTelling() });
        },
      },
    );
    slot.handles.set(generation, handle);
    if (handle.pid !== undefined) {
      // Journaled before anything else can happen, so that a crash of the emperor right now
      // still leaves a record of this process group for the next emperor to stop.
      pid = handle.pid;
      this.#deps.journal.started(name, generation, pid, proc.protocol === 'uwsgi' ? 'SIGINT' : proc.stopSignal);
    }
  }

  #openNotifySocket(name: string, generation: number, onLine: (line: string) => void): NotifySocket | null {
    const path = join(this.#deps.runDir, 'notify', `${name}.${generation}.sock`);
    if (Buffer.byteLength(path) > 107) return null; // longer than sun_path: EMPEROR_NOTIFY_FD still works
    const socket = openNotifySocket(path, onLine, (err) => this.#deps.log.warn({ vassal: name, err }, 'notify socket error'));
    if (!socket && !this.#warnedNoNotifySocket) {
      this.#warnedNoNotifySocket = true;
      this.#deps.log.warn('systemd NOTIFY_SOCKET is not offered: the optional unix-dgram addon is not installed (EMPEROR_NOTIFY_FD still works)');
    }
    return socket;
  }

  async #holdSockets(name: string, slot: Slot, key: string, effect: Extract<Effect, { type: 'hold-sockets' }>): Promise<void> {
    const wanted = new Map(effect.sockets.map((s) => [JSON.stringify(s), s]));
    const keep = slot.sockets.filter((h) => wanted.has(JSON.stringify(h.spec)));
    for (const h of slot.sockets) if (!keep.includes(h)) h.close();
    const have = new Set(keep.map((h) => JSON.stringify(h.spec)));
    try {
      const fresh = await bindSockets(effect.sockets.filter((s) => !have.has(JSON.stringify(s))));
      const byKey = new Map([...keep, ...fresh].map((h) => [JSON.stringify(h.spec), h]));
      slot.sockets = effect.sockets.map((s) => byKey.get(JSON.stringify(s))).filter((h): h is HeldSocket => h !== undefined);
      if (!this.#slots.has(name)) {
        for (const s of slot.sockets) s.close();
        return;
      }
      this.dispatch(name, { type: 'sockets-held', key, addresses: slot.sockets.map((s) => ({ name: s.spec.name, address: s.address })) });
    } catch (err) {
      slot.sockets = keep;
      this.dispatch(name, { type: 'sockets-failed', key, error: (err as Error).message });
    }
  }

  #publish(event: LifecycleEvent): void {
    const { message, vassal, at: _at, type, ...fields } = event;
    this.#deps.log.info({ vassal, event: type, ...fields }, message);
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#deps.log.error({ err }, 'event listener failed');
      }
    }
  }

  // --- read side -----------------------------------------------------------------------

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  vassal(name: string): Vassal | undefined {
    return this.#slots.get(name)?.vassal;
  }

  names(): string[] {
    return [...this.#slots.keys()].sort();
  }

  status(name: string) {
    const v = this.#slots.get(name)?.vassal;
    return v ? toStatus(v, this.#now()) : undefined;
  }

  ring(name: string): OutputRing | undefined {
    return this.#slots.get(name)?.ring;
  }

  subscribe(listener: (e: LifecycleEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onForget(listener: (name: string) => void): void {
    this.#forgotten.add(listener);
  }

  /** Instances still alive across the fleet (shutdown waits for 0). */
  liveInstances(): number {
    let n = 0;
    for (const s of this.#slots.values()) n += s.vassal.instances.length;
    return n;
  }

  /** Emergency stop: SIGKILL to every group at once. */
  killAll(): void {
    for (const s of this.#slots.values()) for (const h of s.handles.values()) h.kill();
  }

  /** At exit: cancels every timer and closes every held socket and log file. */
  dispose(): void {
    for (const s of this.#slots.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      for (const h of s.sockets) h.close();
      s.sockets = [];
      s.logFile?.close();
    }
  }
}

const regexCache = new Map<string, RegExp>();
function matches(pattern: string, line: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    regexCache.set(pattern, re);
  }
  return re.test(line);
}
