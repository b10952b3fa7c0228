// The emperor holds listening sockets through Node's internal tcp_wrap / pipe_wrap handles (no
// public API binds without accepting). If a Node release removes or changes them, this fails
// loudly here rather than as a silent hang of every held socket.
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListenHelper } from '../../src/runtime/listen-helper.js';
import { socketBinder } from '../../src/runtime/held-sockets.js';
import { newPipeServerHandle, newTcpServerHandle } from '../../src/runtime/raw-handles.js';

describe("Node's raw server handles", () => {
  const helper = new ListenHelper();
  const dirs: string[] = [];
  afterEach(() => {
    helper.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('a TCP handle binds 127.0.0.1 on a free port and has an fd', () => {
    const h = newTcpServerHandle();
    try {
      expect(h.bind('127.0.0.1', 0)).toBe(0);
      const out: Record<string, unknown> = {};
      expect(h.getsockname(out)).toBe(0);
      expect(Number(out['port'])).toBeGreaterThan(0);
      expect(h.fd).toBeGreaterThan(2);
    } finally {
      h.close();
    }
  });

  test('a pipe handle binds a unix socket path and has an fd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emperor-raw-'));
    dirs.push(dir);
    const h = newPipeServerHandle();
    try {
      expect(h.bind(join(dir, 's.sock'))).toBe(0);
      expect(h.fd).toBeGreaterThan(2);
    } finally {
      h.close();
    }
  });

  test('a held socket listens: a client connects and waits in the backlog, never accepted by the emperor', async () => {
    const [held] = await socketBinder(helper)([{ name: 'http', kind: 'tcp', host: '127.0.0.1', port: 0 }]);
    if (!held) throw new Error('no socket was bound');
    try {
      const port = Number(held.address.split(':')[1]);
      const socket = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      socket.destroy();
    } finally {
      held.close();
    }
  });
});
