"""A uWSGI mule standing in for a Galaxy job handler (python3 stdlib only).

Each mule appends one line when it starts and one when it stops, to the file named by
$MULE_LOG (default: ../var/mules.log next to this app), so a test can prove that two
generations of job handlers never run at the same time:

    start <pid> <epoch> <monotonic> master=<master pid> role=<role> gen=<generation>
    stop  <pid> <epoch> <monotonic> master=<master pid> role=<role> gen=<generation> sig=<n>

How uWSGI stops mules (core/mule.c, core/uwsgi.c): SIGHUP on a graceful stop or reload
(emperor byte 2 or 1, master FIFO `q`/`r`), SIGINT on a brutal stop (byte 0, FIFO `Q`, lost
emperor), SIGTERM on a brutal reload (SIGTERM to the master without die-on-term). uWSGI's own
handlers would just exit(30); we replace them to log the stop first. The master waits for the
mules (up to mule-reload-mercy, 60 s by default, then SIGKILL) before it exits or reloads.
"""
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = os.environ.get("MULE_LOG") or os.path.join(HERE, "..", "var", "mules.log")
STOP_DELAY = float(os.environ.get("MULE_STOP_DELAY", "0") or 0)  # simulate a slow shutdown


def _log(what, extra=""):
    line = "%s %d %.6f %.6f master=%d role=%s gen=%s%s\n" % (
        what, os.getpid(), time.time(), time.monotonic(), os.getppid(),
        os.environ.get("GALAXY_ROLE", "unknown"), os.environ.get("EMPEROR_GENERATION", "-"), extra)
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())  # one write: lines from concurrent mules never interleave
    finally:
        os.close(fd)


def _stop(signum, frame):
    if STOP_DELAY:
        time.sleep(STOP_DELAY)
    _log("stop", " sig=%d" % signum)
    sys.exit(0)


for _s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
    signal.signal(_s, _stop)

_log("start")
while True:  # a real job handler would poll its job queue here
    time.sleep(1)
