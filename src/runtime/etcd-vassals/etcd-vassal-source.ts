// Vassal files kept in etcd (`--vassals etcd://HOST:PORT/PREFIX/`): each key directly under the
// prefix whose name is a vassal file name (web.yml, worker.ini) is a vassal file. It feeds the
// same FileTracker as the directory watcher: a put is a drop or a change, a put of the same value
// a touch (the key's mod revision is its mtime), a delete a removal.
//
// It follows the prefix with a list-then-watch loop: a range read gives every key and the store's
// revision, then a watch from the next revision reports every later change in order. When the
// watch breaks (etcd gone, a member lost, the revision compacted) the loop starts over with a
// fresh read, and what changed meanwhile is reconciled against what it knew: a key gone is a
// removal, a new mod revision a put. Nothing is missed, and no revision of the past is needed,
// so compaction cannot lose an event. While etcd cannot be reached, the vassals it gave keep
// running as they are: only a read that succeeds can remove them.
import { ExponentialBackoff, noop } from 'cockatiel';
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import type { Logger } from 'pino';
import { isEtcdVassalKey } from '../../config/vassal-files.js';
import type { VassalSourceInfo } from '../../core/status.js';
import type { Clock } from '../clock.js';
import type { FileTracker } from '../file-tracker.js';
import { etcdErrorText } from '../../lib/etcd-error.js';

export interface EtcdVassalsOptions {
  readonly hosts: readonly string[];
  /** Key prefix, starting and ending with '/'. */
  readonly prefix: string;
  /** etcd://HOST:PORT[,…] as written: a key after it names the vassal. */
  readonly origin: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Connected or not: called on each change. */
  readonly onChange: (info: VassalSourceInfo) => void;
}

const DIAL_TIMEOUT_MS = 2000;
// A watch stream comes back within a second once etcd is back (the library waits up to 30 s).
const WATCH_BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }).next();
// No per-host circuit breaker: its default (open 5 s after 3 failures) would delay the first
// read after etcd came back; the retries here are paced by RETRY_* instead.
const HOST_POLICY = (): typeof noop => noop;
// One read returns every key of the prefix (up to 1 MiB each), and one watch response may carry
// several puts: gRPC's default limit of 4 MiB per message would refuse them.
const GRPC_OPTIONS = { 'grpc.max_receive_message_length': -1 } as const;
const READ_DEADLINE_MS = 5000;
// A TCP connection that dies silently (a partition, no RST) breaks no stream: a tiny read this
// often, with a deadline, tells.
const PROBE_EVERY_MS = 5000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 2000;

export class EtcdVassalSource {
  readonly #opts: EtcdVassalsOptions;
  readonly #tracker: Pick<FileTracker, 'onContent' | 'onContentRemoved'>;
  #client: Etcd3;
  /** Vassal key -> its mod revision, as last read or watched. */
  readonly #known = new Map<string, string>();
  #watcher: Watcher | null = null;
  /** Each attempt to follow the prefix; callbacks of an older one are ignored. */
  #attempt = 0;
  #failures = 0;
  #connected = false;
  #since: number;
  #error: string | null = 'not connected yet';
  #retry: NodeJS.Timeout | null = null;
  #probe: NodeJS.Timeout | null = null;
  #closed = false;
  #told = false;
  #firstTry: Promise<void>;
  #firstTried: () => void = () => undefined;

  constructor(opts: EtcdVassalsOptions, tracker: Pick<FileTracker, 'onContent' | 'onContentRemoved'>) {
    this.#opts = opts;
    this.#tracker = tracker;
    this.#since = opts.clock();
    this.#client = this.#newClient();
    this.#firstTry = new Promise((resolve) => (this.#firstTried = resolve));
  }

  /** etcd://HOST:PORT[,…]/PREFIX/ */
  get url(): string {
    return `${this.#opts.origin}${this.#opts.prefix}`;
  }

  info(): VassalSourceInfo {
    return { url: this.url, connected: this.#connected, keys: this.#known.size, since: this.#since, error: this.#connected ? null : this.#error };
  }

  /** Starts following the prefix; never throws, keeps trying while etcd cannot be reached. */
  start(): void {
    void this.#follow();
    this.#probe = setInterval(() => void this.#checkAlive(), PROBE_EVERY_MS);
    this.#probe.unref();
  }

  /** Resolves after the first attempt, whether etcd answered or not (READY=1 waits for it, not for etcd). */
  firstAttempt(): Promise<void> {
    return this.#firstTry;
  }

  /** SIGHUP: read every key again and watch anew (what a reconnection does), connected or not. */
  rescan(): void {
    if (this.#closed) return;
    if (this.#retry) clearTimeout(this.#retry);
    void this.#follow();
  }

  close(): void {
    this.#closed = true;
    this.#attempt++;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#probe) clearInterval(this.#probe);
    this.#dropWatcher();
    this.#client.close();
  }

  #newClient(): Etcd3 {
    return new Etcd3({ hosts: [...this.#opts.hosts], dialTimeout: DIAL_TIMEOUT_MS, faultHandling: { host: HOST_POLICY, watchBackoff: WATCH_BACKOFF }, grpcOptions: GRPC_OPTIONS });
  }

  // One attempt: read every key, reconcile, watch from the next revision.
  async #follow(): Promise<void> {
    this.#retry = null;
    if (this.#closed) return;
    const attempt = ++this.#attempt;
    this.#dropWatcher();
    try {
      const read = await this.#client.getAll().prefix(this.#opts.prefix).options({ deadline: Date.now() + READ_DEADLINE_MS }).exec();
      if (attempt !== this.#attempt) return;
      this.#reconcile(read.kvs);
      const watcher = this.#client.watch().prefix(this.#opts.prefix).startRevision((BigInt(read.header.revision) + 1n).toString()).watcher();
      this.#watcher = watcher;
      watcher.on('put', (kv) => this.#put(kv));
      watcher.on('delete', (kv) => this.#deleted(kv.key.toString()));
      // A watch that etcd never confirms (its stream on a dead connection) is a lost one too.
      const unconfirmed = setTimeout(() => this.#lost(attempt, new Error('etcd did not confirm the watch')), READ_DEADLINE_MS);
      unconfirmed.unref();
      watcher.on('connected', () => {
        clearTimeout(unconfirmed);
        if (attempt !== this.#attempt) return;
        this.#failures = 0;
        this.#setConnected(true, null);
        this.#firstTried();
      });
      // The library would resume the watch by itself, but from a revision that may be compacted
      // by then: starting over with a fresh read needs no past revision.
      watcher.on('disconnected', (err: Error) => this.#lost(attempt, err));
      watcher.on('error', (err: Error) => this.#lost(attempt, err));
    } catch (err) {
      this.#lost(attempt, err as Error);
    }
  }

  #lost(attempt: number, err: Error): void {
    if (attempt !== this.#attempt || this.#closed) return;
    this.#attempt++; // every callback of the broken attempt is stale from now on
    this.#dropWatcher();
    // A new client, with new connections: a stream left on a connection that died silently
    // would otherwise take the next watch with it. Calls still pending on the old one fail
    // and are ignored (their attempt is over).
    this.#client.close();
    this.#client = this.#newClient();
    this.#setConnected(false, etcdErrorText(err));
    this.#firstTried();
    const delay = Math.min(RETRY_FIRST_MS * 2 ** this.#failures, RETRY_MAX_MS);
    this.#failures++;
    this.#retry = setTimeout(() => void this.#follow(), delay);
    this.#retry.unref();
  }

  async #checkAlive(): Promise<void> {
    if (!this.#connected || this.#closed) return;
    const attempt = this.#attempt;
    try {
      await this.#client.get(this.#opts.prefix).options({ deadline: Date.now() + READ_DEADLINE_MS }).exec();
    } catch (err) {
      this.#lost(attempt, new Error(`etcd did not answer a read: ${etcdErrorText(err)}`));
    }
  }

  #dropWatcher(): void {
    const w = this.#watcher;
    this.#watcher = null;
    if (!w) return;
    w.removeAllListeners();
    w.on('error', () => undefined);
    // Not awaited: a watcher that etcd already cancelled never answers its cancellation.
    void w.cancel().catch(() => undefined);
  }

  #reconcile(kvs: readonly IKeyValue[]): void {
    const present = new Set<string>();
    for (const kv of kvs) {
      const key = kv.key.toString();
      if (!this.#isVassalKey(key)) continue;
      present.add(key);
      this.#put(kv);
    }
    for (const key of [...this.#known.keys()]) if (!present.has(key)) this.#deleted(key);
  }

  #put(kv: IKeyValue): void {
    const key = kv.key.toString();
    if (!this.#isVassalKey(key) || this.#known.get(key) === kv.mod_revision) return;
    this.#known.set(key, kv.mod_revision);
    this.#tracker.onContent(this.#fileOf(key), kv.value, kv.mod_revision);
  }

  #deleted(key: string): void {
    if (!this.#known.delete(key)) return;
    this.#tracker.onContentRemoved(this.#fileOf(key));
  }

  #isVassalKey(key: string): boolean {
    return isEtcdVassalKey(this.#opts.prefix, key);
  }

  #fileOf(key: string): string {
    return `${this.#opts.origin}${key}`;
  }

  #setConnected(connected: boolean, error: string | null): void {
    this.#error = error;
    // The first outcome is told either way: etcd unreachable at start is news too.
    if (connected === this.#connected && this.#told) return;
    this.#told = true;
    this.#connected = connected;
    this.#since = this.#opts.clock();
    const { log } = this.#opts;
    if (connected) log.info({ vassalSource: this.url, keys: this.#known.size }, `vassals from ${this.url}: connected (${this.#known.size} vassal key(s))`);
    else log.warn({ vassalSource: this.url }, `vassals from ${this.url}: disconnected (${error ?? 'unknown'}); its vassals keep running as they are; reconnecting`);
    this.#opts.onChange(this.info());
  }
}
