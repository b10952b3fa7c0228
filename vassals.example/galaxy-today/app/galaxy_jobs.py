"""Job handling as Galaxy does it with `assign_with: db-skip-locked`.

The web process creates a job with the default handler tag (never a handler of its own, and
never the empty string the gist's restarter had to use). Every handler claims jobs carrying
the tag with `SELECT ... FOR UPDATE SKIP LOCKED`, so two handlers never claim one job, and
writes its own name into `handler`. At start a handler first recovers the jobs already
claimed under its name (a handler killed mid-job finishes them when it comes back). That is
why handler names must be unique among live processes: two `handler0`s would both recover,
and run, the same jobs (galaxy#11335).
"""
import os
import threading
import time

from galaxy_common import DEFAULT_TAG, Database, NamedSingleton, log, notify

POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", "0.25"))
JOB_SECONDS = float(os.environ.get("JOB_SECONDS", "0.02"))
CLAIM = (
    "UPDATE job SET handler = %s, state = 'queued' WHERE id IN ("
    " SELECT id FROM job WHERE handler = %s AND state = 'new' ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED"
    ") RETURNING id"
)


class JobHandler:
    def __init__(self, name):
        self.name = name
        self.singleton = NamedSingleton(name)
        self.db = Database(f"{name}:{os.getpid()}:jobs")

    def start(self, on_ready=None):
        # Never handle a job before this process is the only one with this name.
        self.singleton.acquire()
        recovered = self.db.run(lambda cur: self._ids(cur, "SELECT id FROM job WHERE handler = %s AND state = 'queued' ORDER BY id", (self.name,)))
        log(f"job handler {self.name} started; recovering {len(recovered)} job(s) claimed before")
        for job_id in recovered:
            self.run_job(job_id)
        if on_ready:
            on_ready()
        while True:
            self.singleton.check()
            claimed = self.db.run(lambda cur: self._ids(cur, CLAIM, (self.name, DEFAULT_TAG)))
            for job_id in claimed:
                self.run_job(job_id)
            if not claimed:
                time.sleep(POLL_SECONDS)

    def run_job(self, job_id):
        time.sleep(JOB_SECONDS)  # the "work"; its result is committed with the state, atomically

        def finish(cur):
            cur.execute("INSERT INTO job_run (job_id, handler, pid) VALUES (%s, %s, %s)", (job_id, self.name, os.getpid()))
            cur.execute("UPDATE job SET state = 'ok' WHERE id = %s", (job_id,))

        self.db.run(finish)

    @staticmethod
    def _ids(cur, sql, params):
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def handle_jobs_in_background(name):
    """For web workers in the all-in-one mode: the handler runs beside the request threads."""
    thread = threading.Thread(target=JobHandler(name).start, name=f"job-handler-{name}", daemon=True)
    thread.start()
    return thread


def main_ready():
    notify("READY=1")
