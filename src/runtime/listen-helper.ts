// Makes a bound raw handle listen without the emperor ever polling it: a helper process gets
// the handle over IPC, calls listen(2) on its copy and closes it in the same tick. The listening
// state belongs to the shared open file description, so it stays while the emperor holds the fd.
import { spawn, type ChildProcess } from 'node:child_process';
import { getSystemErrorName } from 'node:util';
import type { RawHandle } from './raw-handles.js';

const LISTEN_BACKLOG = 1024;

// Started on demand; serves bursts (1000 vassals dropped at once) and exits after an idle time
// or as soon as the emperor goes away.
const LISTEN_HELPER = `
process.on('message', (msg, handle) => {
  const err = handle ? handle.listen(msg.backlog) : -9;
  if (handle) handle.close();
  process.send({ id: msg.id, err });
});
process.on('disconnect', () => process.exit(0));
`;
// Long enough that vassals dropped one after another do not each pay the helper's start (~70 ms).
const HELPER_IDLE_MS = 60_000;
const EBADF = -9;
const EPIPE = -32;

interface ListenReply {
  readonly id: number;
  readonly err: number;
}

export class ListenHelper {
  #child: ChildProcess | null = null;
  #nextId = 0;
  readonly #pending = new Map<number, (reply: ListenReply) => void>();
  #idle: NodeJS.Timeout | null = null;

  // Makes the socket behind `handle` listen; rejects with the errno name when it cannot.
  listen(handle: RawHandle, address: string): Promise<void> {
    const child = this.#ensure();
    if (this.#idle) clearTimeout(this.#idle);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => {
        if (reply.err === 0) resolve();
        else reject(new Error(`cannot listen on ${address}: ${getSystemErrorName(reply.err)}`));
      });
      child.send({ id, backlog: LISTEN_BACKLOG }, handle as never, (err) => {
        if (err) this.#settle({ id, err: EBADF });
      });
    });
  }

  /** Ends the helper now (it would end by itself when the emperor exits). */
  close(): void {
    if (this.#idle) clearTimeout(this.#idle);
    if (this.#child?.connected) this.#child.disconnect();
  }

  #ensure(): ChildProcess {
    if (this.#child) return this.#child;
    const child = spawn(process.execPath, ['-e', LISTEN_HELPER], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    child.on('message', (reply: ListenReply) => this.#settle(reply));
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
      for (const id of [...this.#pending.keys()]) this.#settle({ id, err: EPIPE });
    });
    child.on('error', () => {});
    child.unref();
    child.channel?.unref();
    this.#child = child;
    return child;
  }

  #settle(reply: ListenReply): void {
    const done = this.#pending.get(reply.id);
    if (!done) return;
    this.#pending.delete(reply.id);
    done(reply);
    if (this.#pending.size === 0 && this.#child) {
      const child = this.#child;
      this.#idle = setTimeout(() => {
        if (this.#child === child && this.#pending.size === 0) child.disconnect();
      }, HELPER_IDLE_MS);
      this.#idle.unref();
    }
  }
}
