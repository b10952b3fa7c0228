"""The stand-in Galaxy web app (WSGI), loaded once by gunicorn's master with --preload.

GET /        a line naming the process that answered (role, generation, pid)
GET /whoami  the same as JSON
POST /jobs   creates a job with the default handler tag; answers {"id": N}

APP_LOAD_SECONDS makes loading slow, as Galaxy's is (tens of seconds in production).
"""
import json
import os
import threading
import time

from galaxy_common import DEFAULT_TAG, Database

time.sleep(float(os.environ.get("APP_LOAD_SECONDS", "0")))
ROLE = os.environ.get("EMPEROR_ROLE", "main")
GENERATION = os.environ.get("EMPEROR_GENERATION", "0")
VERSION = os.environ.get("APP_VERSION", "1")
_local = threading.local()


def db():
    # One connection per request thread of a worker, made after the fork: a psycopg2
    # connection runs one transaction at a time, and the master's must never be shared.
    if getattr(_local, "pid", None) != os.getpid():
        _local.pid = os.getpid()
        _local.db = Database(f"web:{os.getpid()}:{threading.get_ident()}")
    return _local.db


def who():
    return {"role": ROLE, "generation": int(GENERATION), "pid": os.getpid(), "master": os.getppid(), "version": VERSION}


def create_job():
    creator = f"{ROLE}:{GENERATION}:{os.getpid()}"

    def insert(cur):
        cur.execute("INSERT INTO job (handler, created_by) VALUES (%s, %s) RETURNING id", (DEFAULT_TAG, creator))
        return cur.fetchone()[0]

    return db().run(insert)


def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
    if method == "POST" and path == "/jobs":
        body = json.dumps({"id": create_job(), **who()}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/whoami":
        body = json.dumps(who()).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/":
        w = who()
        body = f"galaxy {w['version']}: {w['role']} generation {w['generation']} pid {w['pid']}\n".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"not found\n"]
