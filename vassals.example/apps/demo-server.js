// The emperor's demo app: a tiny HTTP server with an optional singleton background worker.
// - Listens on the socket the emperor holds (fd 3, LISTEN_FDS) or on $PORT when run alone.
// - Tells the emperor it is ready on EMPEROR_NOTIFY_FD (READY=1), with STATUS= lines.
// - Runs a singleton "job handler" unless it is the dance's stand-in (EMPEROR_ROLE=standin)
//   or JOB_HANDLERS=0; with WORKER_LOG set it appends its start and stop times there.
// - Shuts down gracefully on SIGTERM: stops accepting, finishes in-flight requests, answers
//   keep-alive clients with `Connection: close`, then exits.
import { appendFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const pid = process.pid;
const generation = process.env.EMPEROR_GENERATION ?? '0';
const role = process.env.EMPEROR_ROLE ?? 'main';
const workerEnabled = role !== 'standin' && process.env.JOB_HANDLERS !== '0';
const notifyFd = process.env.EMPEROR_NOTIFY_FD ? Number(process.env.EMPEROR_NOTIFY_FD) : null;
const delayMs = Number(process.env.DEMO_STARTUP_DELAY_MS ?? 0);
let draining = false;
let jobs = 0;

function notify(line) {
  if (notifyFd !== null) writeSync(notifyFd, line + '\n');
}

function record(event) {
  if (process.env.WORKER_LOG) appendFileSync(process.env.WORKER_LOG, JSON.stringify({ event, pid, generation, at: Date.now() }) + '\n');
}

const server = http.createServer((req, res) => {
  if (draining) res.setHeader('Connection', 'close');
  const body = { pid, generation: Number(generation), role, worker: workerEnabled, jobs, mark: process.env.MARK ?? null };
  if (req.url === '/whoami') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body) + '\n');
    return;
  }
  res.end(`hello from the emperor demo (pid ${pid}, generation ${generation}, ${role}${workerEnabled ? ', job handler running' : ''})\n`);
});
server.keepAliveTimeout = 5000;

let worker = null;
function startWorker() {
  if (!workerEnabled) return;
  record('start');
  worker = setInterval(() => {
    jobs += 1;
  }, 100);
}

function stopWorker() {
  if (!worker) return;
  clearInterval(worker);
  worker = null;
  record('stop');
}

function shutdown(signal) {
  if (draining) return;
  draining = true;
  notify('STOPPING=1');
  console.log(`${signal}: draining (pid ${pid})`);
  // http.Server#close() would also drop "idle" connections, and a connection accepted a moment
  // ago whose request is not parsed yet counts as idle: its client would see ECONNRESET. Close
  // only the listening handle; every accepted connection still gets its answer.
  net.Server.prototype.close.call(server, () => {
    stopWorker();
    console.log(`stopped (pid ${pid})`);
    process.exit(0);
  });
  // Keep-alive clients get `Connection: close` on their next answer; connections that stay
  // idle anyway are dropped after a grace period.
  setTimeout(() => server.closeIdleConnections(), 1000).unref();
  setTimeout(() => server.closeAllConnections(), 8000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

const listenOn = process.env.LISTEN_FDS ? { fd: 3 } : { port: Number(process.env.PORT ?? 8080), host: '127.0.0.1' };
setTimeout(() => {
  server.listen(listenOn, () => {
    startWorker();
    console.log(`listening (pid ${pid}, generation ${generation}, ${role}, worker ${workerEnabled ? 'on' : 'off'})`);
    notify(`STATUS=serving, worker ${workerEnabled ? 'on' : 'off'}`);
    notify('READY=1');
  });
}, delayMs);
