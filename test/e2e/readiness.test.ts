// How the emperor learns that one particular instance is ready.
import { afterEach, describe, expect, test } from '@jest/globals';
import { Emperor, nodeVassal } from '../helpers/emperor.js';

let em: Emperor;
afterEach(async () => {
  expect(await em.cleanup()).toEqual([]);
});

const PY_SD_NOTIFY = [
  'import os, socket, time',
  'time.sleep(0.5)',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.sendto(b"STATUS=warming up\\nREADY=1", os.environ["NOTIFY_SOCKET"])',
  'time.sleep(1000)',
].join('\n');

describe('readiness', () => {
  test('notify: READY=1 and STATUS= on EMPEROR_NOTIFY_FD', async () => {
    em = await new Emperor().start();
    const code = "const fs = require('fs'); setTimeout(() => { fs.writeSync(Number(process.env.EMPEROR_NOTIFY_FD), 'STATUS=all good\\nREADY=1\\n'); }, 300); setInterval(() => {}, 1000);";
    em.write('n.yml', nodeVassal(code, '  ready: notify\n'));
    const s = await em.waitRunning('n');
    expect(s.note).toBe('all good');
    expect(s.instances[0]?.statusText).toBe('all good');
  });

  test("notify: systemd's NOTIFY_SOCKET datagrams work too (sd_notify speakers run unchanged)", async () => {
    em = await new Emperor().start();
    em.write('sd.yml', `emperor:\n  command: [python3, -c, ${JSON.stringify(PY_SD_NOTIFY)}]\n  ready: notify\n`);
    const s = await em.waitRunning('sd');
    expect(s.instances[0]?.statusText).toBe('warming up');
  });

  test('an instance is not ready just because it exists', async () => {
    em = await new Emperor().start();
    em.write('late.yml', nodeVassal("setTimeout(() => console.log('now serving'), 800); setInterval(() => {}, 1000);", '  ready: "log: ^now serving"\n'));
    await em.waitStatus('late', (s) => s.state === 'starting' && s.pid !== null, 'spawned, not ready');
    const s = await em.waitRunning('late');
    expect(s.instances[0]?.readyAt).not.toBeNull();
  });

  test('delay: ready after surviving the delay', async () => {
    em = await new Emperor().start();
    em.write('d.yml', nodeVassal('setInterval(() => {}, 1000);', '  ready: "delay: 1s"\n'));
    const starting = await em.waitStatus('d', (s) => s.state === 'starting' && s.pid !== null, 'starting');
    const running = await em.waitRunning('d');
    expect(running.pid).toBe(starting.pid);
    expect(running.instances[0]!.readyAt! - running.instances[0]!.startedAt).toBeGreaterThanOrEqual(1000);
  });
});
