"""A tiny WSGI app standing in for Galaxy (python3 stdlib only).

GET /          -> "hello from <worker pid> role=<role> master=<master pid> gen=<generation>"
GET /pid       -> the uWSGI master pid (one line)
GET /whoami    -> JSON: pid, master pid, role, emperor generation/role, mule count
GET /static/…  -> served by uWSGI's static-map, not by this code

The role comes from GALAXY_ROLE, set with uWSGI's `env` option in config/galaxy.yml ("main",
with job-handler mules) and config/galaxy-restarter.yml ("restarter", no mules).
"""
import json
import os

try:  # present when running under uWSGI
    import uwsgi
except ImportError:  # pragma: no cover - plain `python3 -c` import checks
    uwsgi = None


def _master_pid():
    if uwsgi is not None:
        try:
            return uwsgi.masterpid()
        except Exception:
            pass
    return os.getppid()


def _mules():
    if uwsgi is None:
        return 0
    value = uwsgi.opt.get("mule")
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _info():
    return {
        "pid": os.getpid(),
        "master_pid": _master_pid(),
        "role": os.environ.get("GALAXY_ROLE", "unknown"),
        "emperor_generation": os.environ.get("EMPEROR_GENERATION"),
        "emperor_role": os.environ.get("EMPEROR_ROLE"),
        "mules": _mules(),
    }


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    info = _info()
    if path == "/pid":
        body = "%d\n" % info["master_pid"]
        ctype = "text/plain"
    elif path == "/whoami":
        body = json.dumps(info) + "\n"
        ctype = "application/json"
    elif path == "/":
        body = "hello from %d role=%s master=%d gen=%s\n" % (
            info["pid"], info["role"], info["master_pid"], info["emperor_generation"] or "-")
        ctype = "text/plain"
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    data = body.encode()
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]
