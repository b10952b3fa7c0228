"""Celery for the stand-in Galaxy: a worker runs tasks, celery beat (a singleton) schedules one.

Galaxy runs `celery worker` and `celery beat` beside gunicorn since 22.05. Two beats at once
would send every periodic task twice. The beat process says who sent each tick and when
(message headers set in the beat process); the worker writes that into the `tick` table, so
that "never two beats" can be checked from the tasks themselves.
"""
import os
import time

from celery import Celery
from celery.signals import beat_init, before_task_publish

from galaxy_common import Database, NamedSingleton, log

app = Celery("galaxy", broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0"))
app.conf.update(
    beat_schedule={"tick": {"task": "galaxy_celery.tick", "schedule": float(os.environ.get("TICK_SECONDS", "1"))}},
    broker_connection_retry_on_startup=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    # Ticks are only worth their moment: one that waited out a broker restart is dropped.
    task_ignore_result=True,
)
_db = {}
_beat = {}


def db():
    pid = os.getpid()
    if pid not in _db:
        _db[pid] = Database(f"celery:{pid}")
    return _db[pid]


@beat_init.connect
def hold_beat_name(sender=None, **_):
    # The beat is a named singleton too: its lock records any overlap in `conflicts`.
    _beat["singleton"] = NamedSingleton("beat")
    _beat["singleton"].acquire()
    log("beat: the only beat now; scheduling")  # beat.yml's ready probe


@before_task_publish.connect
def stamp(sender=None, headers=None, **_):
    # Runs in the process that sends: in beat, this marks the tick with beat's pid and the time.
    if "singleton" in _beat and headers is not None:
        # Stamped first: re-taking the lock after a PostgreSQL restart may take a moment, and
        # that wait must not make two ticks look closer than beat sent them.
        headers["beat_pid"] = os.getpid()
        headers["beat_sent_at"] = time.time()
        _beat["singleton"].check()


@app.task(bind=True)
def tick(self):
    req = self.request
    beat_pid = getattr(req, "beat_pid", None) or (req.headers or {}).get("beat_pid")
    sent_at = getattr(req, "beat_sent_at", None) or (req.headers or {}).get("beat_sent_at")
    if beat_pid is None:
        return

    def insert(cur):
        cur.execute("INSERT INTO tick (beat_pid, sent_at, worker_pid) VALUES (%s, %s, %s)", (beat_pid, sent_at, os.getpid()))

    db().run(insert)
