// Rolling dances across the fleet, through etcd. The emperor asked (over its local control
// socket) rolls: for each node in turn it puts a request `dance/NODE/ROLL` on its own node
// lease and follows that node's report `dance-report/ROLL/NODE` (on the dancer's lease) until
// the node says its dance ended. Every emperor watches `dance/ITSNAME/` and dances what is
// asked there, exactly as its own control socket would (the same refusals), and writes each
// step into its report.
//
// Why etcd and not each node's control API: the control API is a UNIX socket (and optionally
// a loopback HTTP listener), out of reach of other hosts by design; every node already holds
// an etcd connection. A request is acted on only when it sits on the lease of a registered
// node of the fleet (`nodes/BY` on the same lease), so it comes from a fleet member; and it
// can only ask for a dance of a vassal that dances there, the one change that keeps a site
// serving. Write access to the fleet's prefix in etcd is already the power to decide where
// fleet singletons run, so etcd must be guarded at least as tightly as the control socket
// (docs/fleet.md, "Who may roll a dance").
import { randomUUID } from 'node:crypto';
import type { IKeyValue } from 'etcd3';
import type { FleetRollEvent } from '../../core/status.js';
import { NODES_PREFIX } from './fleet-membership.js';
import type { FleetNodeContext } from './fleet-node.js';
import { etcdErrorText } from '../../lib/etcd-error.js';

export const DANCE_REQUESTS = 'dance/';
export const DANCE_REPORTS = 'dance-report/';

/** A dance on this node: `step` hears each step's message; resolves with the outcome. */
export type LocalDance = (vassal: string, step: (message: string) => void) => Promise<{ ok: boolean; message: string }>;

interface DanceRequest {
  readonly roll: string;
  readonly vassal: string;
  readonly by: string;
}

interface DanceReport {
  readonly steps: readonly string[];
  readonly done: { readonly ok: boolean; readonly message: string } | null;
}

export interface FleetDancesDeps extends FleetNodeContext {
  readonly dance: LocalDance;
  /** Resolves once the node's registration shows its vassals as they are now. */
  readonly registered: () => Promise<void>;
  readonly warn: (message: string) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export class FleetDances {
  readonly #deps: FleetDancesDeps;
  /** Requests already taken (key@create revision): a replayed watch event never dances twice. */
  readonly #taken = new Set<string>();
  #closed = false;
  #cancelWatch: (() => void) | null = null;

  constructor(deps: FleetDancesDeps) {
    this.#deps = deps;
    this.#watchRequests();
  }

  close(): void {
    this.#closed = true;
    this.#cancelWatch?.();
  }

  /**
   * Dances `vassal` on each of `nodes`, in order, each one to its end before the next; stops
   * at the first node whose dance fails (or that does not answer). Never rejects.
   */
  async roll(vassal: string, nodes: readonly string[], emit: (e: FleetRollEvent) => void): Promise<{ ok: boolean; message: string }> {
    const roll = randomUUID();
    const danced: string[] = [];
    for (const [i, node] of nodes.entries()) {
      emit({ type: 'node-start', node });
      const outcome = await this.#danceOn(roll, vassal, node, (message) => emit({ type: 'step', node, message })).catch((err: unknown) => ({ ok: false, message: etcdErrorText(err) }));
      emit({ type: 'node-done', node, ...outcome });
      if (!outcome.ok) {
        const notDanced = nodes.slice(i + 1);
        const message = `the roll stopped at ${node}: ${outcome.message}${notDanced.length ? `; not danced: ${notDanced.join(', ')}` : ''}`;
        emit({ type: 'done', ok: false, message, danced, notDanced: [node, ...notDanced] });
        return { ok: false, message };
      }
      danced.push(node);
    }
    const message = `${vassal} danced on ${danced.length} node${danced.length === 1 ? '' : 's'}: ${danced.join(', ')}`;
    emit({ type: 'done', ok: true, message, danced, notDanced: [] });
    return { ok: true, message };
  }

  // One node's dance: the request, then its report until done (or the node is gone).
  async #danceOn(roll: string, vassal: string, node: string, step: (message: string) => void): Promise<{ ok: boolean; message: string }> {
    const { ns, ttlMs } = this.#deps;
    const id = this.#deps.lease.id;
    if (id === null) throw new Error('fleet: disconnected: this node has no lease in etcd, so it cannot ask another node to dance');
    const requestKey = `${DANCE_REQUESTS}${node}/${roll}`;
    const reportKey = `${DANCE_REPORTS}${roll}/${node}`;
    const opening = ns.watch().key(reportKey).create();
    const watcher = await withTimeout(opening, ttlMs, 'etcd did not open a watch of the report within the TTL').catch((err: unknown) => {
      void opening.then((late) => late.cancel()).catch(() => undefined); // opened after all: close it
      throw err;
    });
    let shown = 0;
    try {
      return await new Promise((resolve, reject) => {
        let accepted = false;
        // A live node takes a request within milliseconds (its watch); a node that does not
        // within the TTL is gone or cut off from etcd, and the roll stops with nothing changed.
        const unanswered = setTimeout(() => {
          if (!accepted) reject(new Error(`${node} did not take the request within ${ttlMs / 1000}s (is its emperor running and connected to etcd?)`));
        }, ttlMs);
        const onReport = (kv: IKeyValue): void => {
          accepted = true;
          const report = JSON.parse(kv.value.toString()) as DanceReport;
          for (const message of report.steps.slice(shown)) step(message);
          shown = Math.max(shown, report.steps.length);
          if (report.done) {
            clearTimeout(unanswered);
            resolve(report.done);
          }
        };
        watcher.on('put', onReport);
        watcher.on('delete', () => {
          clearTimeout(unanswered);
          reject(new Error(`${node} left the fleet during its dance (its lease expired): its vassal may be in any state of the dance; check it there`));
        });
        const request: DanceRequest = { roll, vassal, by: this.#deps.node };
        ns.put(requestKey).value(JSON.stringify(request)).lease(id).exec().catch((err: unknown) => {
          clearTimeout(unanswered);
          reject(new Error(`cannot put the dance request for ${node} into etcd: ${etcdErrorText(err)}`));
        });
      });
    } finally {
      await watcher.cancel().catch(() => undefined);
      await ns.delete().key(requestKey).exec().catch(() => undefined);
      await ns.delete().key(reportKey).exec().catch(() => undefined);
    }
  }

  // This node's side: dances what is asked under `dance/NODE/`.
  #watchRequests(): void {
    const { ns, node } = this.#deps;
    ns.watch()
      .prefix(`${DANCE_REQUESTS}${node}/`)
      .create()
      .then(
        (watcher) => {
          this.#cancelWatch = () => void watcher.cancel().catch(() => undefined);
          if (this.#closed) this.#cancelWatch();
          watcher.on('put', (kv) => void this.#take(kv));
          watcher.on('error', () => undefined); // the library re-establishes the watch
        },
        () => {
          if (!this.#closed) setTimeout(() => this.#watchRequests(), 1000);
        },
      );
  }

  async #take(kv: IKeyValue): Promise<void> {
    const taken = `${kv.key.toString()}@${kv.create_revision}`;
    if (this.#taken.has(taken) || this.#closed) return;
    this.#taken.add(taken);
    let request: DanceRequest;
    try {
      request = JSON.parse(kv.value.toString()) as DanceRequest;
    } catch {
      return this.#deps.warn(`fleet: ignored a dance request that is not JSON at ${kv.key.toString()}`);
    }
    const reportKey = `${DANCE_REPORTS}${request.roll}/${this.#deps.node}`;
    const steps: string[] = [];
    let writes: Promise<unknown> = Promise.resolve();
    const write = (done: DanceReport['done']): void => {
      const report: DanceReport = { steps: [...steps], done };
      const id = this.#deps.lease.id;
      if (id === null) return; // no lease: the roller sees no report and gives up
      writes = writes.then(() => this.#deps.ns.put(reportKey).value(JSON.stringify(report)).lease(id).exec()).catch(() => undefined);
    };
    if (!(await this.#fromMember(request.by, String(kv.lease)))) {
      this.#deps.warn(`fleet: refused a dance request for ${request.vassal} from ${request.by}: it is not on the lease of a registered node of the fleet`);
      write({ ok: false, message: `${this.#deps.node} refused the request: it is not on the lease of a registered fleet node` });
      return;
    }
    write(null);
    const outcome = await this.#deps.dance(request.vassal, (message) => {
      steps.push(message);
      write(null);
    }).catch((err: unknown) => ({ ok: false, message: etcdErrorText(err) }));
    // The registration first, then the outcome: a roller that starts the next roll at once plans
    // it from registrations, and must not find this node still dancing.
    await this.#deps.registered();
    write(outcome);
    await writes;
    // The roller deletes the report once it has read it; if the roller died meanwhile, the
    // report would stay as long as this node's lease does.
    setTimeout(() => void this.#deps.ns.delete().key(reportKey).exec().catch(() => undefined), 2 * this.#deps.ttlMs).unref();
  }

  // The request's lease is the lease of the registration of the node it names.
  async #fromMember(by: string, lease: string): Promise<boolean> {
    try {
      const res = await this.#deps.ns.get(`${NODES_PREFIX}${by}`).exec();
      const kv = res.kvs[0];
      return kv !== undefined && String(kv.lease) === lease && lease !== '0';
    } catch {
      return false;
    }
  }
}
