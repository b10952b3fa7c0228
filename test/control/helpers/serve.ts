// Starts a control server on a fresh temp socket, backed by a MemorySupervisor.
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../../../src/control/server.js';
import { ControlClient } from '../../../src/control/client.js';
import { MemorySupervisor } from './memory-supervisor.js';
import { tempDir } from './temp-dir.js';

export interface Served {
  readonly supervisor: MemorySupervisor;
  readonly server: ControlServer;
  readonly client: ControlClient;
  readonly socketPath: string;
  readonly runDir: string;
  stop(): Promise<void>;
}

export async function serve(supervisor: MemorySupervisor): Promise<Served> {
  const dir = await tempDir();
  const socketPath = join(dir.path, 'control.sock');
  const server = await startControlServer(supervisor, { socketPath });
  return {
    supervisor, server, socketPath, runDir: dir.path,
    client: new ControlClient(socketPath),
    async stop() {
      await server.close();
      await dir.remove();
    },
  };
}
