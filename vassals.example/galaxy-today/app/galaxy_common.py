"""What every process of the stand-in Galaxy shares: the database, sd_notify, named singletons.

Real Galaxy keeps its state in PostgreSQL and names every job handler (`--server-name`); this
module does the same with psycopg2, so that the guarantees the emperor gives can be checked in
the database afterwards.
"""
import os
import socket
import sys
import time

import psycopg2
import psycopg2.errorcodes

DB = os.environ.get("GALAXY_DB", "host=127.0.0.1 port=15432 dbname=galaxy user=galaxy")
# The tag every new job gets, as Galaxy's db-skip-locked assignment sets the default handler tag.
DEFAULT_TAG = "_default_"


def log(*words):
    print(f"[{os.getpid()}] " + " ".join(str(w) for w in words), file=sys.stderr, flush=True)


def connect(application_name, retry_for=30.0):
    """A connection, retried while PostgreSQL (re)starts: a restart costs time, not requests."""
    deadline = time.monotonic() + retry_for
    while True:
        try:
            conn = psycopg2.connect(DB, application_name=application_name, connect_timeout=3)
            conn.autocommit = False
            return conn
        except psycopg2.OperationalError as err:
            if time.monotonic() > deadline:
                raise
            log("database not reachable yet:", str(err).strip().splitlines()[0])
            time.sleep(0.2)


def record_stop(name):
    """One row in `stops` for this process, on one try: it fails if PostgreSQL is gone."""
    try:
        conn = psycopg2.connect(DB, application_name=f"{name}:{os.getpid()}:stop", connect_timeout=3)
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO stops (name, pid) VALUES (%s, %s)", (name, os.getpid()))
        conn.close()
    except psycopg2.Error as err:
        log("could not record the stop:", str(err).strip().splitlines()[0] if str(err) else type(err).__name__)


class Database:
    """One connection that reconnects: `run(fn)` calls fn(cursor) in a transaction and retries
    it on a new connection when the server went away (PostgreSQL restarted by a touch)."""

    def __init__(self, application_name):
        self.application_name = application_name
        self.conn = None

    def run(self, fn, retry_for=30.0):
        deadline = time.monotonic() + retry_for
        while True:
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = connect(self.application_name, retry_for)
                with self.conn:
                    with self.conn.cursor() as cur:
                        return fn(cur)
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as err:
                self.close()
                if time.monotonic() > deadline:
                    raise
                log("database connection lost, retrying:", str(err).strip().splitlines()[0] if str(err) else type(err).__name__)
                time.sleep(0.2)

    def close(self):
        try:
            if self.conn is not None:
                self.conn.close()
        except Exception:
            pass
        self.conn = None


def notify(state):
    """sd_notify: READY=1 to systemd's NOTIFY_SOCKET, as the emperor passes it (or its own fd)."""
    path = os.environ.get("NOTIFY_SOCKET")
    if path:
        if path.startswith("@"):
            path = "\0" + path[1:]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(path)
            s.sendall(state.encode())
        return
    fd = os.environ.get("EMPEROR_NOTIFY_FD")
    if fd:
        os.write(int(fd), (state + "\n").encode())


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class NamedSingleton:
    """Holds PostgreSQL's advisory lock for `name` on its own connection while the process lives.

    This is how the example *checks* "never two live processes with one name": a process that
    finds the lock held by another process that is still alive records a row in `conflicts`
    (the tests require that table to stay empty) and then waits for the lock. A lock left by a
    process that is already dead (its backend has not noticed the closed socket yet) is not a
    conflict. The lock is re-taken after PostgreSQL restarts.
    """

    def __init__(self, name):
        self.name = name
        self.app = f"{name}:{os.getpid()}"
        self.conn = None

    def acquire(self):
        while True:
            try:
                self._acquire_once()
                return
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as err:
                log("singleton lock: database connection lost, retrying:", str(err).strip().splitlines()[0] if str(err) else "")
                self.conn = None
                time.sleep(0.2)

    def _acquire_once(self):
        self.conn = connect(self.app)
        self.conn.autocommit = True
        recorded = set()
        with self.conn.cursor() as cur:
            while True:
                cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.name,))
                if cur.fetchone()[0]:
                    cur.execute("INSERT INTO lives (name, pid) VALUES (%s, %s)", (self.name, os.getpid()))
                    return
                holders = self._holders(cur)
                live = [pid for pid in holders if pid != os.getpid() and pid_alive(pid) and pid not in recorded]
                if live:
                    recorded.add(live[0])
                    cur.execute("INSERT INTO conflicts (name, pid, other_pid) VALUES (%s, %s, %s)", (self.name, os.getpid(), live[0]))
                    log(f"CONFLICT: {self.name} is held by live process {live[0]}")
                time.sleep(0.05)

    def _holders(self, cur):
        cur.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = (hashtext(%s)::bigint & 4294967295)",
            (self.name,),
        )
        pids = []
        for (app,) in cur.fetchall():
            try:
                pids.append(int(app.rsplit(":", 1)[1]))
            except (IndexError, ValueError):
                pass
        return pids

    def check(self):
        """After a PostgreSQL restart the lock is gone with the connection: take it again."""
        try:
            with self.conn.cursor() as cur:
                cur.execute("SELECT 1")
        except (psycopg2.OperationalError, psycopg2.InterfaceError, AttributeError):
            self.acquire()
