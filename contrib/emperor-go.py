#!/usr/bin/python3
"""Run a Python program as the emperor's warm stand-in.

    python3 emperor-go.py [--import MODULE]... -m MODULE [ARG]...

Imports each --import module, then, when the emperor started this process held (it sets
EMPEROR_GO_FD for a vassal with `warm-standin: true`), waits for its go before it runs
`-m MODULE` with ARG... as `python3 -m MODULE ARG...` would. What is imported before the wait is
paid ahead of the dance; what MODULE loads after it (the app, with --preload) is the code on
disk at the moment of the dance. Run without EMPEROR_GO_FD, it goes on at once.

Example, gunicorn (its start-up imports take about 0.3 s on Debian 12):

    python3 emperor-go.py --import gunicorn.app.wsgiapp --import gunicorn.arbiter \\
        --import gunicorn.workers.gthread -m gunicorn --preload app:app

Use the interpreter the app runs with (a virtualenv's python): the process stays the one the
emperor started, so LISTEN_PID and the held sockets stay right.
"""
import importlib
import os
import runpy
import sys


def parse(argv):
    imports, module = [], None
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--import" and rest:
            imports.append(rest.pop(0))
        elif arg == "-m" and rest:
            module = rest.pop(0)
            break
        else:
            sys.exit(f"emperor-go: unexpected {arg!r}\n\n{__doc__}")
    if module is None:
        sys.exit(f"emperor-go: -m MODULE is required\n\n{__doc__}")
    return imports, module, rest


def wait_for_go():
    fd = os.environ.pop("EMPEROR_GO_FD", None)
    if fd is None:
        return
    byte = os.read(int(fd), 1)  # blocks until the emperor's go (EINTR is retried by Python)
    os.close(int(fd))
    if not byte:
        # The emperor went away without letting this stand-in go: it must not start serving.
        sys.exit("emperor-go: the emperor closed EMPEROR_GO_FD without a go; exiting")


def main():
    imports, module, args = parse(sys.argv[1:])
    for name in imports:
        importlib.import_module(name)
    wait_for_go()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
