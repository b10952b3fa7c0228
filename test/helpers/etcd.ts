// Real etcd servers (Debian's etcd-server) for fleet tests: temp data directories, loopback
// ports picked free, one member or a cluster of three. Every server is stopped by cleanup().
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export function haveEtcd(): boolean {
  return existsSync(ETCD_BIN);
}

interface Member {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  proc: ChildProcess | null;
  exited: Promise<void> | null;
  readonly output: string[];
}

export class EtcdCluster {
  readonly #root = mkdtempSync(join(tmpdir(), 'emperor-etcd-'));
  readonly #members: Member[] = [];

  static async start(size = 1): Promise<EtcdCluster> {
    const cluster = new EtcdCluster();
    for (let i = 0; i < size; i++) {
      cluster.#members.push({ name: `m${i}`, clientPort: await freePort(), peerPort: await freePort(), dataDir: join(cluster.#root, `m${i}`), proc: null, exited: null, output: [] });
    }
    for (let i = 0; i < size; i++) cluster.#launch(i);
    await cluster.healthy();
    return cluster;
  }

  /** `etcd://127.0.0.1:P[,…]` for --fleet. */
  get url(): string {
    return `etcd://${this.#members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')}`;
  }

  /** The client port of a member. */
  clientPort(index = 0): number {
    return this.#member(index).clientPort;
  }

  /** Waits until every running member answers /health with true. */
  async healthy(timeout = 20_000): Promise<void> {
    for (const m of this.#members) {
      if (!m.proc) continue;
      await waitFor(async () => (await health(m.clientPort)) || undefined, { message: `etcd member ${m.name} healthy (${m.output.slice(-3).join(' | ')})`, timeout });
    }
  }

  /** Stops one member (SIGTERM) and waits for its exit; its data directory stays. */
  async stop(index = 0): Promise<void> {
    const m = this.#member(index);
    m.proc?.kill('SIGTERM');
    await m.exited;
    m.proc = null;
  }

  /** Starts a stopped member again, on the same ports and data. */
  async restart(index = 0): Promise<void> {
    this.#launch(index);
    await this.healthy();
  }

  /** The member that leads the raft group now. */
  async leaderIndex(): Promise<number> {
    for (let i = 0; i < this.#members.length; i++) {
      const m = this.#member(i);
      if (!m.proc) continue;
      const status = await getJson(m.clientPort, '/v3/maintenance/status', '{}');
      const header = status?.header as { member_id?: string } | undefined;
      if (status && header?.member_id !== undefined && status.leader === header.member_id) return i;
    }
    return -1;
  }

  async cleanup(): Promise<void> {
    for (let i = 0; i < this.#members.length; i++) {
      const m = this.#member(i);
      if (!m.proc) continue;
      m.proc.kill('SIGKILL');
      await m.exited;
      m.proc = null;
    }
    rmSync(this.#root, { recursive: true, force: true });
  }

  #member(i: number): Member {
    const m = this.#members[i];
    if (!m) throw new Error(`no etcd member ${i}`);
    return m;
  }

  #launch(i: number): void {
    const m = this.#member(i);
    const cluster = this.#members.map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`).join(',');
    const args = [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', cluster,
      '--initial-cluster-token', `emperor-test-${process.pid}`,
      '--initial-cluster-state', 'new',
      '--log-level', 'warn',
    ];
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (chunk: Buffer) => {
      m.output.push(chunk.toString());
      if (m.output.length > 50) m.output.shift();
    });
    m.proc = proc;
    m.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
  }
}

async function health(port: number): Promise<boolean> {
  const body = await getJson(port, '/health');
  return body?.health === 'true';
}

function getJson(port: number, path: string, post?: string): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: post === undefined ? 'GET' : 'POST', timeout: 1000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as Record<string, unknown>);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end(post);
  });
}
