"""A webless job handler, like Galaxy's `scripts/galaxy-main --server-name handler0`.

Ready (sd_notify READY=1) once it holds its name and has recovered the jobs claimed under it.
SIGTERM stops it between two jobs; a job cut short (SIGKILL) is recovered by the next process
with the same name.
"""
import argparse
import signal
import sys

from galaxy_jobs import JobHandler, main_ready


def main():
    parser = argparse.ArgumentParser(description="stand-in for Galaxy's scripts/galaxy-main")
    parser.add_argument("--server-name", required=True, help="the handler's name, unique among live processes")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    JobHandler(args.server_name).start(on_ready=main_ready)


if __name__ == "__main__":
    main()
