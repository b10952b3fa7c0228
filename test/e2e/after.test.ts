// Start order with real processes: a vassal that names another in `after` is `waiting` until
// that one is ready, and a vassal that appears later is told who is ready already.
import { afterEach, describe, expect, test } from '@jest/globals';
import { emperorPool, FOREVER, nodeVassal } from '../helpers/emperor.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

describe('after', () => {
  test('the dependent waits for the ready of what it names, then starts; a late file starts at once', async () => {
    const em = await pool.fresh().start();
    em.write('app.yml', nodeVassal(FOREVER, '  after: [db]\n'));
    const waiting = await em.waitStatus('app', (s) => s.state === 'waiting', 'waiting');
    expect(waiting.note).toBe('waiting for db to be ready (after)');
    em.write('db.yml', nodeVassal(FOREVER, '  ready: "delay: 500ms"\n'));
    await em.waitRunning('app');
    const dbReady = Number(em.events('db', 'ready')[0]?.time);
    const appSpawned = Number(em.events('app', 'spawned')[0]?.time);
    expect(appSpawned).toBeGreaterThanOrEqual(dbReady);
    em.write('late.yml', nodeVassal(FOREVER, '  after: [db, app]\n'));
    await em.waitRunning('late');
  });
});
