// Pauses a uWSGI master's workers before the emperor stops it gracefully.
//
// A single-threaded uWSGI worker told to stop gracefully (SIGHUP from the master after byte 2)
// exits at once unless it is in a request, and it counts as "in a request" only after it has
// read one: a worker stopped between accept() and that point closes the connection unanswered
// (core/uwsgi.c gracefully_kill, unchanged on uWSGI's master branch). It cost one reset in about
// one CI run of ten of the Galaxy zerg test. A paused worker (SIGTSTP to the master, uWSGI's own `--pause`)
// finishes the request it holds and then accepts nothing, so the stop that follows finds every
// worker idle, and the connections queued meanwhile stay on the socket for the instance that
// goes on serving it (a held socket, or a zerg pool's). SIGTSTP both pauses and resumes, so a
// setup that pauses by itself must leave the stop to the emperor (vassals.example/galaxy-zerg).
import { readFileSync } from 'node:fs';

/** How long the workers get to finish what they accepted before the graceful stop. */
export const UWSGI_PAUSE_MS = 300;

const SIGTSTP = 20;

// Whether the process has its own handler for the signal, from the SigCgt mask of
// /proc/PID/status. A wrapper shell that did not exec uWSGI has none, and SIGTSTP would stop it.
export function catchesSignal(pid: number, signal: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (mask === undefined) return false;
  return ((BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

/** Pauses the workers of the uWSGI master PID; false when it is not one that can be paused. */
export function pauseUwsgiWorkers(pid: number): boolean {
  if (!catchesSignal(pid, SIGTSTP)) return false;
  try {
    process.kill(pid, 'SIGTSTP');
    return true;
  } catch {
    return false;
  }
}
