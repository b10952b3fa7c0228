// 3 emperors × 200 fleet singletons on one real etcd: every singleton settles on exactly one
// node and stays there while the fleet is idle, on one lease per node. A /proc scan checks
// that no singleton is ever alive twice; etcd's own lease list shows one lease per node.
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { Emperor } from '../helpers/emperor.js';
import { EtcdCluster, haveEtcd } from '../helpers/etcd.js';
import { holdsFor, waitFor } from '../helpers/wait-for.js';
import type { VassalStatus } from '../../src/core/status.js';

jest.setTimeout(300_000);
const NODES = ['a', 'b', 'c'] as const;
const SINGLETONS = 200;
const TTL_S = 5;

if (!haveEtcd() && process.env.CI) throw new Error('etcd-server is required under CI (/usr/bin/etcd)');
const maybe = haveEtcd() ? describe : describe.skip;

// Each singleton is `sleep 100000 0.<tag><i>`: the second argument adds nothing that matters
// and makes each singleton's processes recognisable in /proc.
const tag = `000${process.pid}`;
const argOf = (i: number): string => `0.${tag}${String(i).padStart(3, '0')}`;

// A live (not zombie) process: its stat's start time (to tell a reused pid), or null.
function liveStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

// The most processes of any one singleton alive at the same moment. A pass over /proc takes
// a while on a loaded machine, so a pass can list an instance that died before the next one
// started; a pair counts only when a re-check A, B, A finds A alive throughout and B alive
// in between, which proves both were alive together.
function worstInProc(): number {
  const found = new Map<string, { pid: number; start: string }[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const arg = args[2];
      if (!args[0]?.endsWith('sleep') || !arg?.startsWith(`0.${tag}`)) continue;
      const start = liveStart(Number(entry));
      if (start !== null) found.set(arg, [...(found.get(arg) ?? []), { pid: Number(entry), start }]);
    } catch {
      // gone meanwhile
    }
  }
  let worst = found.size > 0 ? 1 : 0;
  for (const [arg, procs] of found) {
    const [a, b] = procs;
    if (!a || !b) continue;
    if (liveStart(a.pid) === a.start && liveStart(b.pid) === b.start && liveStart(a.pid) === a.start) {
      worst = Math.max(worst, procs.length);
      const parent = (pid: number): string => {
        const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] ?? '?';
        const node = emperors.findIndex((em) => String(em.proc?.pid) === ppid);
        return `${pid} (node ${NODES[node] ?? `ppid ${ppid}`})`;
      };
      let who = '';
      try {
        who = procs.map((p) => parent(p.pid)).join(', ');
      } catch {
        who = procs.map((p) => p.pid).join(', ');
      }
      doubles.push(`${arg}: ${who} at ${new Date().toISOString()}`);
      doubledNames.add(`s${arg.slice(-3)}`);
    }
  }
  return worst;
}

/** Singletons seen alive twice at once, for the failure message. */
const doubles: string[] = [];
const doubledNames = new Set<string>();

// Every node's log lines about the doubled singletons (and the fleet as a whole), in time order:
// the failure message carries the evidence a flake under load leaves nowhere else.
function doubledHistory(): string[] {
  if (doubledNames.size === 0) return [];
  return emperors
    .flatMap((em, i) => em.logs.filter((l) => doubledNames.has(String(l.vassal)) || (l.vassal === undefined && /fleet|lease|etcd|guard/i.test(String(l.msg)))).map((l) => ({ at: Number(l.time), line: `${new Date(Number(l.time)).toISOString()} ${NODES[i]} ${String(l.vassal ?? '-')} ${String(l.msg)}` })))
    .sort((x, y) => x.at - y.at)
    .map((x) => x.line);
}

let etcd: EtcdCluster | null = null;
const emperors: Emperor[] = [];
let worst = 0;
const scan = setInterval(() => {
  worst = Math.max(worst, worstInProc());
}, 200);

afterAll(async () => {
  clearInterval(scan);
  // All at once: stopped one by one, the others would take over each stopped node's
  // singletons and start hundreds of instances during the teardown.
  const leaked = (await Promise.all(emperors.map((em) => em.cleanup()))).flat();
  await etcd?.cleanup();
  expect(leaked).toEqual([]);
  expect({ doubles, history: doubledHistory() }).toEqual({ doubles: [], history: [] });
  expect(worst).toBeLessThanOrEqual(1);
});

// Which node runs each singleton now (several when doubled; none when nowhere).
async function holders(): Promise<Map<string, string[]>> {
  const by = new Map<string, string[]>();
  for (const [i, em] of emperors.entries()) {
    const list = (await em.api<{ vassals: VassalStatus[] }>('/vassals')).body.vassals;
    for (const v of list) if (v.state === 'running') by.set(v.name, [...(by.get(v.name) ?? []), NODES[i] ?? '']);
  }
  return by;
}

maybe('a fleet at scale', () => {
  test(`${NODES.length} nodes × ${SINGLETONS} fleet singletons settle (each runs once fleet-wide, the rest stand by) and stay settled at idle, on one lease per node`, async () => {
    etcd = await EtcdCluster.start(1);
    for (const node of NODES) {
      const em = new Emperor();
      for (let i = 0; i < SINGLETONS; i++) em.write(`s${String(i).padStart(3, '0')}.yml`, `emperor:\n  command: [sleep, "100000", "${argOf(i)}"]\n  singleton: fleet\n  stop-timeout: 1s\n`);
      emperors.push(em);
      await em.start({ args: ['--fleet', etcd.url, '--node', node, '--fleet-ttl', `${TTL_S}s`] });
    }
    let seen = 'nothing read yet';
    const settled = await waitFor(async () => {
      const h = await holders();
      const per = NODES.map((n) => `${n} ${[...h.values()].filter((ns) => ns[0] === n).length}`).join(', ');
      seen = `${h.size} running (${per}), ${[...h.values()].filter((ns) => ns.length > 1).length} on two nodes`;
      return h.size === SINGLETONS && [...h.values()].every((ns) => ns.length === 1) ? h : undefined;
    }, { message: `all ${SINGLETONS} singletons running on exactly one node`, timeout: 180_000, interval: 500 }).catch((err: unknown) => {
      const warnings = emperors.flatMap((em, i) => em.logs.filter((l) => l.level === 'warn' || l.level === 40).slice(-5).map((l) => `${NODES[i]}: ${String(l.msg)}`));
      throw new Error(`${(err as Error).message}; last seen: ${seen}; last warnings: ${warnings.join(' | ')}`);
    });
    // Every other node shows each singleton in standby, held by its holder.
    for (const [i, em] of emperors.entries()) {
      const list = (await em.api<{ vassals: VassalStatus[] }>('/vassals')).body.vassals;
      for (const v of list) {
        const holder = settled.get(v.name)?.[0];
        if (holder !== NODES[i]) expect([v.name, v.state, v.note]).toEqual([v.name, 'standby', `held by ${holder}`]);
      }
    }
    // Idle for three TTLs: nothing moves, nothing stops.
    const moved = async (): Promise<string[]> => {
      const h = await holders();
      return [...settled].filter(([name, ns]) => (h.get(name) ?? []).join() !== ns.join()).map(([name]) => name);
    };
    await holdsFor(async () => (await moved()).length === 0, { ms: 3 * TTL_S * 1000, message: 'every singleton stays on its node while the fleet is idle', interval: 1000 });
    // One lease per node in etcd, whatever the number of singletons.
    const leases = (await (await fetch(`http://127.0.0.1:${etcd.clientPort(0)}/v3/lease/leases`, { method: 'POST', body: '{}' })).json()) as { leases?: unknown[] };
    expect(leases.leases?.length).toBe(NODES.length);
    expect(doubles).toEqual([]);
  });
});
