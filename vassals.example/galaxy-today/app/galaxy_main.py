"""A webless job handler, like Galaxy's `scripts/galaxy-main --server-name handler0`.

Ready (sd_notify READY=1) once it holds its name and has recovered the jobs claimed under it.
SIGTERM stops it between two jobs; a job cut short (SIGKILL) is recovered by the next process
with the same name. On SIGTERM it first says goodbye in the `stops` table, once, without
retrying: a row there proves PostgreSQL still ran when the handler was stopped (stop order).
"""
import argparse
import signal
import sys

from galaxy_common import record_stop
from galaxy_jobs import JobHandler, main_ready


def main():
    parser = argparse.ArgumentParser(description="stand-in for Galaxy's scripts/galaxy-main")
    parser.add_argument("--server-name", required=True, help="the handler's name, unique among live processes")
    args = parser.parse_args()
    def stop(*_):
        record_stop(args.server_name)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    JobHandler(args.server_name).start(on_ready=main_ready)


if __name__ == "__main__":
    main()
