// The emperor's own sd_notify (systemd Type=notify): a real AF_UNIX datagram socket stands in for
// systemd, and the real daemon is started with NOTIFY_SOCKET pointing at it.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emperor, emperorPool, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { holdsFor, waitFor } from '../helpers/wait-for.js';

interface Datagram {
  readonly at: number;
  readonly lines: string[];
}

interface DgramSocket {
  on(event: 'message', listener: (buf: Buffer) => void): void;
  bind(path: string): void;
  close(): void;
}

// systemd's side: a bound datagram socket that keeps every message with its arrival time.
class FakeSystemd {
  readonly dir = mkdtempSync(join(tmpdir(), 'emperor-sd-'));
  readonly path = join(this.dir, 'notify');
  readonly got: Datagram[] = [];
  readonly #socket: DgramSocket;

  constructor() {
    const dgram = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
    this.#socket = dgram.createSocket('unix_dgram');
    this.#socket.on('message', (buf) => this.got.push({ at: Date.now(), lines: buf.toString('utf8').split('\n').filter(Boolean) }));
    this.#socket.bind(this.path);
  }

  index(line: string | RegExp, from = 0): number {
    return this.got.findIndex((d, i) => i >= from && d.lines.some((l) => (typeof line === 'string' ? l === line : line.test(l))));
  }

  waitFor(line: string | RegExp, message: string, from = 0, timeout = 15_000): Promise<Datagram> {
    return waitFor(() => this.got[this.index(line, from)], { message: `datagram ${message}`, timeout });
  }

  statusOf(d: Datagram): string | undefined {
    return d.lines.find((l) => l.startsWith('STATUS='))?.slice('STATUS='.length);
  }

  close(): void {
    this.#socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const pool = emperorPool();
let systemd: FakeSystemd;
beforeEach(() => {
  systemd = new FakeSystemd();
});
afterEach(async () => {
  systemd.close();
  expect(await pool.cleanupAll()).toEqual([]);
});

// Starts an emperor over the vassal files given, with NOTIFY_SOCKET set.
async function emperorWith(files: Record<string, string>, env: Record<string, string> = {}): Promise<Emperor> {
  const em = pool.fresh();
  for (const [file, text] of Object.entries(files)) em.write(file, text);
  return em.start({ env: { NOTIFY_SOCKET: systemd.path, ...env } });
}

describe('sd_notify to systemd', () => {
  test('READY=1 only once every vassal found at start runs or is broken, with STATUS counts, and WATCHDOG=1 pings', async () => {
    const started = Date.now();
    const envFile = join(systemd.dir, 'env.json');
    const em = await emperorWith(
      {
        'slow.yml': nodeVassal(FOREVER, '  ready: "delay: 1500ms"\n'),
        'fast.yml': nodeVassal(FOREVER),
        'bad.yml': 'emperor: [\n',
        'env.yml': nodeVassal(`require('fs').writeFileSync(${JSON.stringify(envFile)}, JSON.stringify(process.env)); ${FOREVER}`),
      },
      { WATCHDOG_USEC: '400000' },
    );
    const ready = await systemd.waitFor('READY=1', 'READY=1');
    const slow = await em.waitRunning('slow');
    expect(slow.instances[0]!.readyAt).not.toBeNull();
    expect(ready.at).toBeGreaterThanOrEqual(slow.instances[0]!.readyAt!);
    expect(ready.at - started).toBeGreaterThanOrEqual(1500);
    expect(systemd.statusOf(ready)).toBe('4 vassals: 3 running, 0 starting, 1 broken, 0 throttled');
    // Before READY=1, the counts showed the slow vassal starting.
    const before = systemd.got.slice(0, systemd.got.indexOf(ready));
    expect(before.some((d) => /\b1 starting\b/.test(systemd.statusOf(d) ?? ''))).toBe(true);
    expect(systemd.got.filter((d) => d.lines.includes('READY=1'))).toHaveLength(1);

    // Pings at half of WATCHDOG_USEC (200 ms).
    const from = systemd.got.length;
    await waitFor(() => systemd.got.slice(from).filter((d) => d.lines.includes('WATCHDOG=1')).length >= 4, { message: '4 more WATCHDOG=1', timeout: 3000 });
    const pings = systemd.got.filter((d) => d.lines.includes('WATCHDOG=1')).map((d) => d.at);
    const gaps = pings.slice(1).map((t, i) => t - pings[i]!);
    // Never more often than about half the period (a loaded machine only makes gaps longer, and
    // 4 pings within 3 s above already shows they keep coming).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(120);

    // systemd's variables are the emperor's alone: a vassal never sees them.
    await waitFor(() => existsSync(envFile), { message: 'env vassal wrote its environment' });
    const seen = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
    expect(seen.NOTIFY_SOCKET).toBeUndefined();
    expect(seen.WATCHDOG_USEC).toBeUndefined();
  });

  test('STATUS= follows the counts (a throttled vassal), coalesced to a few a second', async () => {
    const em = await emperorWith({ 'a.yml': nodeVassal(FOREVER) });
    await systemd.waitFor('READY=1', 'READY=1');
    em.write('crash.yml', nodeVassal('process.exit(1)', '  ready: "delay: 10s"\n'));
    await systemd.waitFor(/^STATUS=2 vassals: 1 running, 0 starting, 0 broken, 1 throttled$/, 'STATUS with 1 throttled');
    // The crash loop changes the state many times a second; STATUS= is sent at most every 250 ms.
    const statuses = systemd.got.filter((d) => systemd.statusOf(d) !== undefined).map((d) => d.at);
    const gaps = statuses.slice(1).map((t, i) => t - statuses[i]!);
    expect(gaps.every((g) => g >= 200)).toBe(true);
  });

  test('SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 once the rescan has started what it found', async () => {
    const em = await emperorWith({ 'a.yml': nodeVassal(FOREVER) });
    await systemd.waitFor('READY=1', 'first READY=1');
    em.write('late.yml', nodeVassal(FOREVER, '  ready: "delay: 1s"\n'));
    const mark = systemd.got.length;
    const ourUsec = process.hrtime.bigint() / 1000n;
    em.proc.kill('SIGHUP');
    const reloading = await systemd.waitFor('RELOADING=1', 'RELOADING=1', mark);
    const usec = BigInt(reloading.lines.find((l) => l.startsWith('MONOTONIC_USEC='))!.slice('MONOTONIC_USEC='.length));
    // CLOCK_MONOTONIC is system-wide: the emperor's reading is just after ours.
    expect(usec >= ourUsec && usec - ourUsec < 5_000_000n).toBe(true);
    const ready = await systemd.waitFor('READY=1', 'READY=1 after the reload', systemd.got.indexOf(reloading));
    const late = await em.waitRunning('late');
    expect(ready.at).toBeGreaterThanOrEqual(late.instances[0]!.readyAt!);
    expect(systemd.statusOf(ready)).toBe('2 vassals: 2 running, 0 starting, 0 broken, 0 throttled');
  });

  test('SIGTERM: STOPPING=1 first, then the emperor stops every vassal and exits 0', async () => {
    const em = await emperorWith({ 'a.yml': nodeVassal(FOREVER) });
    await systemd.waitFor('READY=1', 'READY=1');
    const { pid } = await em.waitRunning('a');
    em.proc.kill('SIGTERM');
    const stopping = await systemd.waitFor('STOPPING=1', 'STOPPING=1');
    // Sent before anything was stopped: its counts still show the vassal running.
    expect(systemd.statusOf(stopping)).toBe('stopping 1 vassal: 1 running, 0 starting, 0 broken, 0 throttled');
    expect(await em.exited).toBe(0);
    expect(em.logs.some((l) => l.vassal === 'a' && l.event === 'exited' && l.instancePid === pid)).toBe(true);
    expect(systemd.index('READY=1', systemd.got.indexOf(stopping))).toBe(-1);
  });

  test('no WATCHDOG=1 when WATCHDOG_PID names another process', async () => {
    await emperorWith({ 'a.yml': nodeVassal(FOREVER) }, { WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
    await systemd.waitFor('READY=1', 'READY=1');
    await holdsFor(() => systemd.index('WATCHDOG=1') === -1, { ms: 600, message: 'no WATCHDOG=1 for a watchdog of pid 1' });
  });

  test('an abstract NOTIFY_SOCKET is reported and the emperor runs without sd_notify', async () => {
    const em = pool.fresh();
    em.write('a.yml', nodeVassal(FOREVER));
    await em.start({ env: { NOTIFY_SOCKET: '@emperor-test-abstract' } });
    await em.waitRunning('a');
    expect(em.logs.some((l) => l.level === 40 && String(l.msg).includes('abstract socket'))).toBe(true);
  });
});
