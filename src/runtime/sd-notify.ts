// sd_notify from the emperor itself, for systemd's Type=notify: READY=1 once the vassals found at
// start are up (or broken, throttled …), STATUS= with the fleet's counts, RELOADING=1 … READY=1
// around a SIGHUP rescan, STOPPING=1 at shutdown, and WATCHDOG=1 pings. The datagrams go to
// $NOTIFY_SOCKET through the optional `unix-dgram` addon (Node's dgram has no AF_UNIX). Without
// NOTIFY_SOCKET none of this exists.
import type { VassalStateName } from '../core/status.js';
import { notifySocketSupport } from './notify-socket.js';

/** What the notifier needs from the environment systemd gives its main process. */
export interface SystemdEnv {
  readonly NOTIFY_SOCKET?: string | undefined;
  readonly WATCHDOG_USEC?: string | undefined;
  readonly WATCHDOG_PID?: string | undefined;
}

/** The variables systemd sets for the emperor alone; they must not reach its vassals. */
export const SYSTEMD_NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

// The part of unix-dgram's socket used here (notify-socket.ts types only its receiving side).
interface SendingSocket {
  on(event: 'error', listener: (err: Error) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  close(): void;
}

export interface SystemdChannel {
  /** Sends one datagram of `KEY=VALUE` lines. */
  send(lines: readonly string[]): void;
  /** Milliseconds between WATCHDOG=1 pings (half of WATCHDOG_USEC), or null when none is wanted of us. */
  readonly watchdogEveryMs: number | null;
  close(): void;
}

// Opens the channel to systemd, or returns null when there is nothing to talk to (no
// NOTIFY_SOCKET) or no way to (the addon is missing, an abstract socket name); `problem` says why
// in the second case. Send errors go to `problem` too, once per kind.
export function openSystemdChannel(env: SystemdEnv, pid: number, problem: (message: string) => void): SystemdChannel | null {
  const path = env.NOTIFY_SOCKET;
  if (!path) return null;
  if (path.startsWith('@')) {
    // unix-dgram copies the address with strncpy and passes sizeof(sockaddr_un): an abstract
    // name (a leading NUL byte) cannot be expressed. systemd itself uses /run/systemd/notify.
    problem(`NOTIFY_SOCKET=${path} is an abstract socket, which the unix-dgram addon cannot address: no sd_notify (READY=1 …) is sent`);
    return null;
  }
  const addon = notifySocketSupport();
  if (!addon) {
    problem(`NOTIFY_SOCKET is set but the optional unix-dgram addon is not installed: no sd_notify (READY=1 …) is sent; reinstall with optional dependencies, or use Type=simple`);
    return null;
  }
  const socket = addon.createSocket('unix_dgram') as unknown as SendingSocket;
  const reported = new Set<string>();
  const report = (err: Error): void => {
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    if (reported.has(String(code))) return;
    reported.add(String(code));
    problem(`cannot send to NOTIFY_SOCKET ${path}: ${err.message}`);
  };
  socket.on('error', report);
  let closed = false;
  return {
    send(lines) {
      if (closed) return;
      const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
      socket.send(buf, 0, buf.length, path, (err) => {
        if (err) report(err);
      });
    },
    watchdogEveryMs: watchdogInterval(env, pid),
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

// Half of WATCHDOG_USEC, when it is set and WATCHDOG_PID (if set) names this process.
function watchdogInterval(env: SystemdEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

/** The states that mean "not settled yet": READY=1 waits until no vassal is in one of them. */
const UNSETTLED: ReadonlySet<VassalStateName> = new Set<VassalStateName>(['starting', 'reloading']);
/** Counted in STATUS= always; every other state only when some vassal is in it. */
const ALWAYS_COUNTED: readonly VassalStateName[] = ['running', 'starting', 'broken', 'throttled'];

type Phase = 'loading' | 'settling' | 'ready' | 'stopping';

// The emperor's side of the conversation. The composition root calls `changed()` whenever the
// fleet may have changed; the notifier looks at most once per `minIntervalMs` and sends STATUS=
// only when its text changed, READY=1 when the fleet has settled.
export class ServiceNotifier {
  readonly #channel: SystemdChannel;
  readonly #states: () => Iterable<VassalStateName>;
  readonly #problems: () => readonly string[];
  readonly #minIntervalMs: number;
  #phase: Phase = 'loading';
  #lastStatus = '';
  #lastLookAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;

  // `problems`: what is wrong with the emperor's surroundings, put first in STATUS= while it lasts.
  constructor(channel: SystemdChannel, states: () => Iterable<VassalStateName>, problems: () => readonly string[] = () => [], minIntervalMs = 250) {
    this.#channel = channel;
    this.#states = states;
    this.#problems = problems;
    this.#minIntervalMs = minIntervalMs;
    const every = channel.watchdogEveryMs;
    if (every !== null) {
      this.#channel.send(['WATCHDOG=1']);
      this.#watchdog = setInterval(() => this.#channel.send(['WATCHDOG=1']), every);
      this.#watchdog.unref();
    }
  }

  // The fleet may have changed: look soon (coalesced).
  changed(): void {
    if (this.#timer !== null) return;
    const wait = Math.max(0, this.#lastLookAt + this.#minIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#look();
    }, wait);
    this.#timer.unref();
  }

  // Every file found (at start, or by a rescan) has been loaded and handed to the fleet: READY=1
  // follows as soon as none of them is starting or reloading.
  loaded(): void {
    if (this.#phase !== 'loading') return;
    this.#phase = 'settling';
    this.changed();
  }

  // SIGHUP: a rescan begins; call `loaded()` when its files have been handed to the fleet.
  reloading(): void {
    if (this.#phase === 'stopping') return;
    this.#phase = 'loading';
    this.#channel.send(['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec()}`]);
  }

  stopping(): void {
    if (this.#phase === 'stopping') return;
    this.#phase = 'stopping';
    this.#lastStatus = `stopping ${this.#counts().text}`;
    this.#channel.send(['STOPPING=1', `STATUS=${this.#lastStatus}`]);
  }

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#watchdog !== null) clearInterval(this.#watchdog);
    this.#timer = null;
    this.#watchdog = null;
    this.#channel.close();
  }

  #look(): void {
    this.#lastLookAt = Date.now();
    const { text, unsettled } = this.#counts();
    const status = this.#phase === 'stopping' ? `stopping ${text}` : text;
    const lines: string[] = [];
    if (this.#phase === 'settling' && unsettled === 0) {
      this.#phase = 'ready';
      lines.push('READY=1');
    }
    if (status !== this.#lastStatus || lines.length > 0) lines.push(`STATUS=${status}`);
    this.#lastStatus = status;
    if (lines.length > 0) this.#channel.send(lines);
  }

  #counts(): { text: string; unsettled: number } {
    const counts = new Map<VassalStateName, number>();
    let total = 0;
    let unsettled = 0;
    for (const s of this.#states()) {
      counts.set(s, (counts.get(s) ?? 0) + 1);
      total++;
      if (UNSETTLED.has(s)) unsettled++;
    }
    const parts = ALWAYS_COUNTED.map((s) => `${counts.get(s) ?? 0} ${s}`);
    for (const [s, n] of counts) if (!ALWAYS_COUNTED.includes(s)) parts.push(`${n} ${s}`);
    const problems = this.#problems().map((p) => `${p}; `).join('');
    return { text: `${problems}${total} vassal${total === 1 ? '' : 's'}: ${parts.join(', ')}`, unsettled };
  }
}

// CLOCK_MONOTONIC in microseconds, as systemd (≥ 253) wants with RELOADING=1: libuv's hrtime
// reads CLOCK_MONOTONIC on Linux.
function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}
