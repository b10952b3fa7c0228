# The bench's WSGI app for the uWSGI Emperor: the same tiny answer as bench/apps/http-app.js.
# It reports the worker pid, the vassal (master) pid and the process start time of the vassal.
import json, os, time

def _start_time(pid):
    # /proc/PID/stat field 22 is the start time in clock ticks since boot (10 ms resolution);
    # converted to epoch ms through /proc/uptime at the same moment.
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    ticks = int(fields[19])
    hz = os.sysconf('SC_CLK_TCK')
    with open('/proc/uptime') as f:
        uptime = float(f.read().split()[0])
    now = time.time()
    return (now - uptime + ticks / hz) * 1000.0

_cache = {}

def _exec_at():
    # With master = true the app is imported in the master before the fork: look the vassal's
    # pid up at request time (the worker's parent) and cache its start time.
    master = os.getppid()
    if master not in _cache:
        _cache[master] = _start_time(master)
    return _cache[master]

def application(environ, start_response):
    body = json.dumps({'pid': os.getpid(), 'master': os.getppid(), 'execAt': _exec_at()}).encode() + b'\n'
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
