// Small helpers shared by every scenario: clocks, statistics, HTTP probes, /proc readers,
// process groups we start and end ourselves, atomic file writes.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, renameSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/** Epoch milliseconds with sub-millisecond resolution (comparable with an app's performance.timeOrigin). */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN };
  const q = (p) => {
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return v[lo] + (v[hi] - v[lo]) * (i - lo);
  };
  return { n: v.length, min: v[0], median: q(0.5), p95: q(0.95), max: v[v.length - 1] };
}

export async function waitFor(fn, { timeout = 10_000, interval = 5, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const r = await fn();
    if (r) return r;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await sleep(interval);
  }
}

/** One GET on a fresh connection; resolves { status, body, json } or null on any error. */
export function get(port, path = '/', timeout = 2000) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, timeout, headers: { connection: 'close' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(data);
        } catch {}
        resolve({ status: res.statusCode, body: data, json, at: now() });
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Polls GET until `accept(json)` holds; returns the response (with .at = time of the answer). */
export async function pollHttp(port, accept = () => true, { timeout = 15_000, interval = 2 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const r = await get(port, '/', 2000);
    if (r && r.status === 200 && r.json && accept(r.json)) return r;
    if (Date.now() > deadline) throw new Error(`port ${port}: no accepted answer within ${timeout} ms (last: ${r ? r.status + ' ' + r.body.slice(0, 80) : 'error'})`);
    await sleep(interval);
  }
}

/** Writes a file atomically: a dotfile temp in the same directory, then rename. */
export function atomicWrite(path, text) {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function touch(path) {
  const t = new Date();
  utimesSync(path, t, t);
}

export function mkdirp(p) {
  mkdirSync(p, { recursive: true });
  return p;
}

const CLK_TCK = 100;
/** CPU seconds (utime + stime), RSS in MB and open fds of one process, from /proc. */
export function procUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    let fds = NaN;
    try {
      fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {}
    return { cpu, rssMb: rssKb / 1024, fds, threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? NaN) };
  } catch {
    return null;
  }
}

// Live (non-zombie) pids whose /proc/PID/stat fields after the command name satisfy `pred`
// (f[1] is the parent pid, f[2] the process group).
function procsWhere(pred) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] !== 'Z' && pred(f)) out.push(Number(d));
    } catch {}
  }
  return out;
}

/** Pids whose parent is `ppid`, skipping zombies. */
export function childrenOf(ppid) {
  return procsWhere((f) => Number(f[1]) === ppid);
}

/** Pids in process group `pgid`, skipping zombies. */
export function groupMembers(pgid) {
  return procsWhere((f) => Number(f[2]) === pgid);
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Sends a signal to one pid or (negative) group, ignoring ESRCH. */
export function signal(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a command in its own process group (detached), so that it and everything it forks
 * can be ended by that group id. Lines of stderr/stdout go to `onLine` if given.
 */
export function startGroup(cmd, args, { env, cwd, onLine, stdout = 'ignore', logFile } = {}) {
  const child = spawn(cmd, args, { detached: true, cwd, env: { ...process.env, ...env }, stdio: ['ignore', onLine ? 'pipe' : stdout, onLine ? 'pipe' : stdout] });
  child.exited = new Promise((res) => child.on('exit', (code, sig) => res({ code, sig })));
  child.exitCode_ = undefined;
  child.on('exit', (c) => (child.exitCode_ = c));
  if (onLine) {
    createInterface({ input: child.stderr }).on('line', (l) => onLine(l, 'stderr'));
    createInterface({ input: child.stdout }).on('line', (l) => onLine(l, 'stdout'));
  }
  return child;
}

/** Ends a group we started: `sig` to the group, then SIGKILL to the group after `timeout`. */
export async function endGroup(child, sig = 'SIGTERM', timeout = 15_000) {
  if (!child || child.pid === undefined) return;
  const pgid = child.pid;
  if (child.exitCode_ === undefined && child.exitCode === null && child.signalCode === null) {
    signal(child.pid, sig);
    const t = new Promise((r) => setTimeout(() => r('late'), timeout));
    if ((await Promise.race([child.exited, t])) === 'late') signal(-pgid, 'SIGKILL');
  }
  // Anything left in the group (forked workers) goes too.
  if (groupMembers(pgid).length > 0) {
    signal(-pgid, 'SIGKILL');
    await sleep(100);
  }
}

/** Runs a command to completion; resolves { code, stdout, stderr, ms }. */
export function run(cmd, args, { env, timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    const t0 = now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => signal(-child.pid, 'SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: now() - t0 });
    });
  });
}

export const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits));
