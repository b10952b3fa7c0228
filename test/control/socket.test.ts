import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startControlServer } from '../../src/control/server.js';
import { ControlClient } from '../../src/control/client.js';
import { EmperorError } from '../../src/errors.js';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { tempDir } from './helpers/temp-dir.js';


describe('control socket file', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  test('the socket is created with mode 0600 and removed on close', async () => {
    const path = join(dir.path, 'control.sock');
    const server = await startControlServer(new MemorySupervisor(), { socketPath: path });
    try {
      const st = await stat(path);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
      expect(server.path).toBe(path);
    } finally {
      await server.close();
    }
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a missing run directory is created with mode 0700', async () => {
    const path = join(dir.path, 'run', 'nested', 'control.sock');
    const server = await startControlServer(new MemorySupervisor(), { socketPath: path });
    try {
      expect((await stat(join(dir.path, 'run', 'nested'))).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
    }
  });

  test('a stale socket left by a dead emperor is replaced', async () => {
    const path = join(dir.path, 'control.sock');
    await leaveStaleSocketFromChild(path);
    expect((await stat(path)).isSocket()).toBe(true);
    const server = await startControlServer(new MemorySupervisor([makeStatus('web')]), { socketPath: path });
    try {
      expect((await new ControlClient(path).list()).map((v) => v.name)).toEqual(['web']);
    } finally {
      await server.close();
    }
  });

  test('a live socket is refused with EMP_ERR_RUN_DIR_LOCKED and keeps serving', async () => {
    const path = join(dir.path, 'control.sock');
    const first = await startControlServer(new MemorySupervisor([makeStatus('web')]), { socketPath: path });
    try {
      const second = startControlServer(new MemorySupervisor(), { socketPath: path });
      await expect(second).rejects.toThrow(EmperorError);
      await expect(second).rejects.toMatchObject({
        code: 'EMP_ERR_RUN_DIR_LOCKED',
        message: `another emperor is serving ${path}: stop it first or use --run-dir/--control`,
      });
      expect((await new ControlClient(path).list()).map((v) => v.name)).toEqual(['web']);
    } finally {
      await first.close();
    }
  });

  test('a regular file at the socket path is left alone and reported', async () => {
    const path = join(dir.path, 'control.sock');
    await writeFile(path, 'precious');
    await expect(startControlServer(new MemorySupervisor(), { socketPath: path })).rejects.toMatchObject({ code: 'EMP_ERR_RUN_DIR_LOCKED' });
    expect((await stat(path)).isFile()).toBe(true);
  });

  test('closing twice is harmless', async () => {
    const server = await startControlServer(new MemorySupervisor(), { socketPath: join(dir.path, 'c.sock') });
    await server.close();
    await server.close();
  });
});

// Binds the socket in a child process that is then killed with SIGKILL, so the file stays behind.
async function leaveStaleSocketFromChild(path: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
