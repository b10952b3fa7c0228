// warm-standin with a real emperor: the next stand-in is started held (EMPEROR_GO_FD) beside the
// serving original, loads nothing until the dance lets it go, then serves on the held socket.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emperorPool } from '../helpers/emperor.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

// "Loads the app" only once it may: a held instance waits for one byte on EMPEROR_GO_FD. Every
// load is recorded in $MARKS (role, generation, pid), then it serves fd 3 and says it listens.
const APP = `const fs = require('fs'), net = require('net'), http = require('http');
function load() {
  fs.appendFileSync(process.env.MARKS, [process.env.EMPEROR_ROLE, process.env.EMPEROR_GENERATION, process.pid].join(' ') + '\\n');
  http.createServer((q, r) => r.end(process.env.EMPEROR_ROLE + ' ' + process.pid)).listen({ fd: 3 }, () => console.log('listening'));
}
const go = process.env.EMPEROR_GO_FD;
if (go === undefined) load();
else {
  const s = new net.Socket({ fd: Number(go), readable: true, writable: false });
  s.once('data', () => { s.destroy(); load(); });
  s.once('end', () => process.exit(3));
}`;

function loads(marks: string): string[][] {
  return existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
}

// An emperor with the app as a dancing vassal, once its warm stand-in is spawned and held.
async function warmVassal() {
  const em = await pool.fresh().start();
  const port = await freePort();
  const marks = join(em.dir, 'marks');
  em.write('web.yml', `emperor:\n  command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(APP)}]\n  env: { MARKS: ${JSON.stringify(marks)} }\n  sockets: { http: "127.0.0.1:${port}" }\n  ready: "log: listening"\n  reload: dance\n  standin: { env: { JOBS: "0" } }\n  warm-standin: true\n`);
  const held = await em.waitStatus('web', (s) => s.instances.some((i) => i.state === 'warm' && i.pid !== null), 'a warm stand-in');
  return { em, port, marks, held, warm: held.instances.find((i) => i.state === 'warm')! };
}

describe('warm-standin', () => {
  test('the stand-in waits held beside the original, the dance lets that same process go, and the next one is held again', async () => {
    const { em, port, marks, held, warm } = await warmVassal();
    expect(warm.role).toBe('standin');
    // Held: it has not loaded, and only the original answers.
    await new Promise((r) => setTimeout(r, 300));
    expect(loads(marks).map((l) => l[0])).toEqual(['main']);
    expect((await request({ port, path: '/' })).body).toBe(`main ${held.pid}`);

    const r = await runCli(['restart-dance', 'web', '--run-dir', em.runDir], {}, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the warm one, held for .*, is let go/);
    // The stand-in that served is the process that was held: no other stand-in was started.
    expect(loads(marks).filter((l) => l[0] === 'standin')).toEqual([['standin', String(warm.generation), String(warm.pid)]]);
    expect(em.events('web', 'spawning').filter((e) => e.role === 'standin').every((e) => /spawning warm stand-in/.test(String(e.msg)))).toBe(true);

    // Once the dance is over, the next warm stand-in is held beside the new original.
    const after = await em.waitStatus('web', (s) => s.state === 'running' && s.instances.some((i) => i.state === 'warm' && i.pid !== null && i.generation > warm.generation), 'the next warm stand-in');
    expect(after.instances.map((i) => i.state).sort()).toEqual(['ready', 'warm']);
    expect((await request({ port, path: '/' })).body).toBe(`main ${after.pid}`);
  });

  test('a warm stand-in that exits while held is reported and the next dance starts its stand-in cold', async () => {
    const { em, port, marks, held, warm } = await warmVassal();
    process.kill(warm.pid!, 'SIGKILL');
    await waitFor(() => em.events('web', 'exited').some((e) => e.generation === warm.generation && /while warm \(unexpected\)/.test(String(e.msg))), { message: 'the warm stand-in reported gone' });
    const r = await runCli(['restart-dance', 'web', '--run-dir', em.runDir], {}, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/warm one/);
    expect(loads(marks).filter((l) => l[0] === 'standin')).toHaveLength(1);
  });
});
