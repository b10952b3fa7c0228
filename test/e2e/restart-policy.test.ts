// The restart policy with real processes: a ready instance that dies is respawned at once while
// its burst lasts, a crash loop is throttled, one-shot jobs finish, max-restarts gives up
// visibly, and a touch, a change or `start` wins over a backoff or a give-up.
import { afterEach, describe, expect, test } from '@jest/globals';
import { Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { touch } from '../helpers/touch.js';
import { holdsFor, waitFor } from '../helpers/wait-for.js';

let em: Emperor;
afterEach(async () => {
  expect(await em.cleanup()).toEqual([]);
});

const CRASH = "console.error('boom: no database'); process.exit(3)";
const statesOf = (name: string): string[] => em.events(name, 'state').map((e) => String(e.state));

describe('respawn: at once when it had become ready, throttled only when looping', () => {
  test('a ready instance killed -9 is respawned at once five times in a row; the sixth death within the window is throttled', async () => {
    em = await new Emperor().start();
    em.write('web.yml', nodeVassal(FOREVER));
    let s = await em.waitRunning('web');
    for (let kill = 1; kill <= 5; kill++) {
      process.kill(s.pid!, 'SIGKILL');
      s = await em.waitStatus('web', (x) => x.state === 'running' && x.generation === kill + 1, `generation ${kill + 1} running`);
      expect(s).toMatchObject({ restarts: kill, throttleDelayMs: 0, nextStartAt: null });
    }
    // Each respawn was decided at the death itself: never throttled, no delay in between.
    expect(statesOf('web')).not.toContain('throttled');
    process.kill(s.pid!, 'SIGKILL');
    const seventh = await em.waitStatus('web', (x) => x.state === 'running' && x.generation === 7, 'respawned after the throttle');
    // The sixth death within the window went through the backoff (--throttle 200ms here).
    expect(statesOf('web').filter((state) => state === 'throttled')).toHaveLength(1);
    expect(seventh.throttleDelayMs).toBe(200);
  });

  test('an instance that dies before it is ready is throttled at once, with a growing delay and its last exit shown', async () => {
    em = await new Emperor().start();
    em.write('loop.yml', nodeVassal(CRASH, '  ready: "log: never printed"\n'));
    const s = await em.waitStatus('loop', (x) => x.state === 'throttled' && x.throttleDelayMs >= 400, 'throttled, the delay doubled');
    expect(s.note).toMatch(/last with code 3: boom: no database; next attempt in/);
    expect(statesOf('loop')).not.toContain('running');
  });
});

describe('one-shot jobs', () => {
  test.each([
    ['on-failure', 0],
    ['never', 0],
    ['never', 1],
  ])('restart: %s and an exit with code %i leaves the vassal exited, not respawned', async (restart, code) => {
    em = await new Emperor().start();
    em.write('job.yml', nodeVassal(`console.log('job done'); process.exitCode = ${code}`, `  restart: ${restart}\n`));
    const s = await em.waitStatus('job', (x) => x.state === 'exited', 'exited');
    expect(s).toMatchObject({ pid: null, generation: 1, lastExit: { code, expected: false } });
    expect(s.note).toContain(`restart: ${restart}`);
    // Nothing can end this wait early: the point is that no second generation comes.
    await holdsFor(async () => (await em.status('job'))?.generation === 1, { ms: 600, message: 'not respawned' });
    expect(em.events('job', 'spawned')).toHaveLength(1);
  });

  test('restart: on-failure respawns a failed run', async () => {
    em = await new Emperor().start();
    em.write('job.yml', nodeVassal('process.exitCode = 2', '  restart: on-failure\n  max-restarts: 1\n'));
    const s = await em.waitStatus('job', (x) => x.state === 'fatal', 'fatal after one respawn');
    expect(em.events('job', 'spawned')).toHaveLength(2);
    expect(s.lastExit?.code).toBe(2);
  });

  test('emperor start, a touch and a change run an exited job again', async () => {
    em = await new Emperor().start();
    const file = em.write('job.yml', nodeVassal("console.log('ran')", '  restart: never\n'));
    await em.waitStatus('job', (x) => x.state === 'exited' && x.generation === 1, 'first run exited');
    expect((await em.api('/vassals/job/start', 'POST')).status).toBe(200);
    await em.waitStatus('job', (x) => x.state === 'exited' && x.generation === 2, 'second run after start');
    touch(file);
    await em.waitStatus('job', (x) => x.state === 'exited' && x.generation === 3, 'third run after a touch');
    em.write('job.yml', nodeVassal("console.log('ran again')", '  restart: never\n'));
    await em.waitStatus('job', (x) => x.state === 'exited' && x.generation === 4, 'fourth run after a change');
  });
});

describe('give up visibly: max-restarts', () => {
  test('past max-restarts the vassal is fatal, with its last exit and output shown, and no more spawns', async () => {
    em = await new Emperor().start();
    em.write('bad.yml', nodeVassal(CRASH, '  max-restarts: 2\n'));
    const s = await em.waitStatus('bad', (x) => x.state === 'fatal', 'fatal');
    expect(s).toMatchObject({ pid: null, restarts: 3, lastExit: { code: 3 } });
    expect(s.note).toMatch(/gave up after 3 death\(s\), last with code 3: boom: no database/);
    expect(em.events('bad', 'spawned')).toHaveLength(3);
    expect(em.events('bad', 'fatal')).toHaveLength(1);
    await holdsFor(async () => (await em.status('bad'))?.state === 'fatal', { ms: 600, message: 'stays fatal' });
    expect(em.events('bad', 'spawned')).toHaveLength(3);
  });
});

describe('a changed file wins over the backoff and the give-up', () => {
  // A long throttle: anything that starts within the test's wait was not waiting for it.
  const slow = ['--throttle', '60s', '--max-throttle', '120s'];

  test('touching the file of a throttled vassal starts it at once', async () => {
    em = await new Emperor().start({ args: slow });
    const file = em.write('loop.yml', nodeVassal(CRASH));
    const s = await em.waitStatus('loop', (x) => x.state === 'throttled', 'throttled for 60 s');
    expect(s.nextStartAt! - Date.now()).toBeGreaterThan(30_000);
    const spawned = em.events('loop', 'spawned').length;
    touch(file);
    await waitFor(() => em.events('loop', 'spawned').length > spawned, { message: 'spawned again after the touch', timeout: 20_000 });
  });

  test('fixing the file of a throttled vassal starts the fixed one at once', async () => {
    em = await new Emperor().start({ args: slow });
    em.write('loop.yml', nodeVassal(CRASH));
    await em.waitStatus('loop', (x) => x.state === 'throttled', 'throttled for 60 s');
    em.write('loop.yml', nodeVassal(FOREVER));
    const s = await em.waitRunning('loop', 20_000);
    expect(s.throttleDelayMs).toBe(0);
  });

  test('emperor start, a touch or a change of a fatal vassal starts it again at once', async () => {
    em = await new Emperor().start({ args: slow });
    const file = em.write('bad.yml', nodeVassal(CRASH, '  max-restarts: 0\n'));
    await em.waitStatus('bad', (x) => x.state === 'fatal' && x.generation === 1, 'fatal at the first death');
    expect((await em.api('/vassals/bad/start', 'POST')).status).toBe(200);
    await em.waitStatus('bad', (x) => x.state === 'fatal' && x.generation === 2, 'ran again after start, fatal again');
    touch(file);
    await em.waitStatus('bad', (x) => x.state === 'fatal' && x.generation === 3, 'ran again after a touch');
    em.write('bad.yml', nodeVassal(FOREVER, '  max-restarts: 0\n'));
    await em.waitStatus('bad', (x) => x.state === 'running' && x.generation === 4, 'the fixed file runs');
  });
});
