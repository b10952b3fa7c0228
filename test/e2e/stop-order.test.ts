// Stop order with real processes: when the emperor stops (SIGTERM), or the vassals directory
// goes away, dependents stop before what they name in `after`. The order is read from the
// instances' own exit records: on SIGTERM each instance writes which of the others were still
// alive, so a database that saw its clients alive was stopped too early, whatever the timings.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emperorPool, type Emperor } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

// An instance that records its pid, and on SIGTERM appends "name: the others still alive".
const RECORDER = `
name=$1; dir=$2
echo $$ > "$dir/$name.pid"
trap 'alive=""; for f in "$dir"/*.pid; do n=$(basename "$f" .pid); [ "$n" = "$name" ] && continue; kill -0 "$(cat "$f")" 2>/dev/null && alive="$alive $n"; done; echo "$name:$alive" >> "$dir/exits"; exit 0' TERM
echo "up $name"
while :; do sleep 1 & wait $!; done
`;

function setup(em: Emperor): { vassal(name: string, extra?: string): void; exits(): Map<string, string[]> } {
  const script = join(em.dir, 'recorder.sh');
  writeFileSync(script, RECORDER);
  return {
    vassal(name, extra = '') {
      em.write(`${name}.yml`, `emperor:\n  command: [/bin/sh, ${JSON.stringify(script)}, ${name}, ${JSON.stringify(em.dir)}]\n  ready: "log: up ${name}"\n${extra}`);
    },
    exits() {
      const lines = readFileSync(join(em.dir, 'exits'), 'utf8').trim().split('\n');
      return new Map(lines.map((l) => {
        const [name = '', alive = ''] = l.split(':');
        return [name, alive.trim().split(/\s+/).filter(Boolean)];
      }));
    },
  };
}

// db <- app <- worker (each starts `after` the one before), all running.
async function runChain(em: Emperor): Promise<ReturnType<typeof setup>> {
  const s = setup(em);
  s.vassal('db');
  s.vassal('app', '  after: [db]\n');
  s.vassal('worker', '  after: [app]\n');
  for (const n of ['db', 'app', 'worker']) await em.waitRunning(n, 30_000);
  return s;
}

describe('stop order', () => {
  test('SIGTERM stops dependents first; a cycle made while running stops together; a missing name holds nothing', async () => {
    const em = await pool.fresh().start();
    const s = setup(em);
    s.vassal('db');
    s.vassal('app', '  after: [db]\n');
    s.vassal('worker', '  after: [app, db, ghost-is-not-waited-for-at-stop]\n  reload: overlap\n');
    s.vassal('cyc1', '  after: [db]\n  reload: overlap\n');
    s.vassal('cyc2', '  after: [cyc1]\n');
    for (const n of ['db', 'app', 'cyc1', 'cyc2']) await em.waitRunning(n, 30_000);
    // worker names a vassal that does not exist: it never starts, and nothing waits for it at stop.
    expect((await em.status('worker'))?.state).toBe('waiting');
    // cyc1 and cyc2 name each other from now on (the overlap reload does not wait).
    s.vassal('cyc1', '  after: [db, cyc2]\n  reload: overlap\n');
    await em.waitStatus('cyc1', (st) => st.state === 'running' && st.generation === 2, 'cyc1 reloaded into the cycle', 30_000);

    expect(await em.stop(60_000)).toBe(0);
    const exits = s.exits();
    expect([...exits.keys()].sort()).toEqual(['app', 'cyc1', 'cyc2', 'db']);
    // db stopped last: none of its dependents was alive when it got its SIGTERM.
    expect(exits.get('db')).toEqual([]);
    // The dependents stopped while what they need still ran.
    expect(exits.get('app')).toContain('db');
    expect(exits.get('cyc1')).toContain('db');
    expect(exits.get('cyc2')).toContain('db');
    expect(em.events('db', 'stop-order').length).toBeGreaterThan(0);
  });

  test('the vassals of a directory that went away stop dependents first too', async () => {
    const em = await pool.fresh().start({ args: ['--missing-dir-grace', '300ms'] });
    const s = await runChain(em);
    renameSync(em.vassals, `${em.vassals}.away`);
    await waitFor(() => (em.events('db', 'exited').length > 0 ? true : undefined), { timeout: 60_000, message: 'db stopped after the grace period' });
    const exits = s.exits();
    expect(exits.get('db')).toEqual([]);
    expect(exits.get('app')).toEqual(['db']);
    expect(exits.get('worker')?.sort()).toEqual(['app', 'db']);
  });

  test('`emperor stop` of several vassals, or --all, stops dependents first, each held by the emperor until they are gone', async () => {
    const em = await pool.fresh().start();
    const s = await runChain(em);
    const stoppedInOrder = async (args: string[]): Promise<void> => {
      const r = await runCli(['stop', ...args, '--run-dir', em.runDir], {}, 60_000);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^NAME +RESULT +MESSAGE\n/);
      const exits = s.exits();
      expect(exits.get('worker')?.sort()).toEqual(['app', 'db']);
      expect(exits.get('app')).toEqual(['db']);
      expect(exits.get('db')).toEqual([]);
      for (const n of ['db', 'app', 'worker']) expect((await em.status(n))?.state).toBe('stopped');
    };
    // Named with the database first: still the last to stop.
    await stoppedInOrder(['db', 'worker', 'app']);
    // The CLI sends one request; the order is the emperor's own (its stop-order events say so).
    expect(em.events('db', 'stop-order').length).toBeGreaterThan(0);
    expect((await runCli(['start', '--all', '--run-dir', em.runDir], {}, 60_000)).code).toBe(0);
    await stoppedInOrder(['--all']);
  });
});

