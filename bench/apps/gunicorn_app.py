"""The same WSGI app for every gunicorn restart method of bench/scenarios/gunicorn.js.

Loading takes APP_LOAD_SECONDS (Galaxy takes tens of seconds); the code's "version" is read
from VERSION_FILE at load, so an answer says whether the new code serves it.
"""
import json
import os
import sys
import time

# Markers for the bench's breakdown of a restart (the emperor logs each line with the time it got it).
print("app: loading", file=sys.stderr, flush=True)
time.sleep(float(os.environ.get("APP_LOAD_SECONDS", "3")))
with open(os.environ["VERSION_FILE"]) as f:
    VERSION = f.read().strip()
print("app: loaded", file=sys.stderr, flush=True)


def app(environ, start_response):
    body = json.dumps({"version": VERSION, "pid": os.getpid()}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
