"""gunicorn settings for the web vassal.

The listening socket is not configured here: the emperor holds it and passes it as fd 3 with
LISTEN_FDS/LISTEN_PID (systemd socket activation), which gunicorn adopts instead of binding.
gunicorn says READY=1 on NOTIFY_SOCKET once its master is up, after --preload loaded the app.

In the all-in-one mode (GALAXY_WEB_HANDLERS=1) each web worker is also a job handler named
web.N, where N is the worker's slot (1..workers), as Galaxy names its web-worker handlers. The
restart dance's stand-in runs with GALAXY_WEB_HANDLERS=0: it serves and creates jobs, and
handles none, so no web.N ever runs twice.
"""
import os

preload_app = True
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = 4
worker_class = "gthread"
graceful_timeout = 10
accesslog = None


def pre_fork(server, worker):
    # The lowest slot no live worker holds: a replaced worker takes over the slot (and name) it frees.
    used = {getattr(w, "slot", None) for w in server.WORKERS.values()}
    worker.slot = next(n for n in range(1, len(used) + 2) if n not in used)


def post_fork(server, worker):
    if os.environ.get("GALAXY_WEB_HANDLERS", "1") != "0":
        from galaxy_jobs import handle_jobs_in_background

        handle_jobs_in_background(f"web.{worker.slot}")
