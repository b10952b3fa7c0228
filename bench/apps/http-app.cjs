// The bench's HTTP app for the emperor, PM2 and supervisord (CommonJS so that PM2's fork and
// cluster containers can require it). Every answer says which process served it and when that
// process was exec'ed (performance.timeOrigin: the start of this Node process, epoch ms).
const execAt = performance.timeOrigin;
const http = require('node:http');
const net = require('node:net');
const { readFileSync, writeSync } = require('node:fs');

// When the kernel created this process: /proc/self/stat field 22 (clock ticks since boot, USER_HZ
// 100 on Linux) through /proc/uptime, the very figure (and 10 ms resolution) the uWSGI app
// reports, so that managers are compared like for like. execAt comes later: after exec, the
// loading of the node binary and its start-up.
function procStartAt() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(')').pop().trim().split(/\s+/);
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptime * 1000 + (Number(fields[19]) / 100) * 1000;
}
const createdAt = procStartAt();

const notifyFd = process.env.EMPEROR_NOTIFY_FD ? Number(process.env.EMPEROR_NOTIFY_FD) : null;
const body = () => JSON.stringify({ pid: process.pid, execAt, createdAt, generation: process.env.EMPEROR_GENERATION ?? null, role: process.env.EMPEROR_ROLE ?? 'main', mark: process.env.MARK ?? null }) + '\n';
let draining = false;

const server = http.createServer((req, res) => {
  if (draining) res.setHeader('Connection', 'close');
  res.setHeader('Content-Type', 'application/json');
  res.end(body());
});
server.keepAliveTimeout = 5000;

function shutdown() {
  if (draining) return;
  draining = true;
  // Close only the listener: every accepted connection still gets its answer (keep-alive
  // clients get `Connection: close`), then exit.
  net.Server.prototype.close.call(server, () => process.exit(0));
  setTimeout(() => server.closeIdleConnections(), 1000).unref();
  setTimeout(() => process.exit(0), 8000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// PM2 cluster mode asks a worker to stop with a 'shutdown' message on some platforms.
process.on('message', (m) => { if (m === 'shutdown') shutdown(); });

const listenOn = process.env.LISTEN_FDS ? { fd: 3 } : { port: Number(process.env.PORT), host: '127.0.0.1' };
server.listen(listenOn, () => {
  if (notifyFd !== null) writeSync(notifyFd, 'READY=1\n');
  if (process.send) process.send('ready'); // PM2 wait_ready
});
