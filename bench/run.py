"""Run every benchmark and print one table; ``--write`` also records it in bench/RESULTS.md.

    make bench                 # the full run (a few minutes)
    make bench BENCH_ARGS=--quick
    make bench BENCH_ARGS=--write

Each figure is a ratio against a floor measured in the same run (see each module's docstring).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone

import batch
import broker_rss
import connections
import cpu
import growth
import hostile_bodies
import push
import reliability
import startup
import throughput
from common import BENCH, Figure, git_revision, machine, sqlite_version, table

SUITES = {"cpu": cpu, "throughput": throughput, "growth": growth, "startup": startup, "broker": broker_rss,
          "push": push, "batch": batch, "hostile": hostile_bodies, "connections": connections,
          "reliability": reliability}


def ensure_wrk() -> None:
    """The HTTP benchmark's load generator: Debian's wrk, installed if this is a Debian machine we own."""
    if shutil.which("wrk") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print("installing wrk (apt-get install wrk) for the HTTP benchmark ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs and smaller data (noisier)")
    parser.add_argument("--write", action="store_true", help="record the results in bench/RESULTS.md")
    parser.add_argument("only", nargs="*", metavar="SUITE", help=f"run only these: {', '.join(SUITES)}")
    args = parser.parse_args()
    unknown = set(args.only) - set(SUITES)
    if unknown:
        parser.error(f"unknown suite(s) {sorted(unknown)}; known: {', '.join(SUITES)}")
    if not args.only or "throughput" in args.only:
        ensure_wrk()
    figures: list[Figure] = []
    started = time.perf_counter()
    for name, suite in SUITES.items():
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures += suite.run(quick=args.quick)
    elapsed = time.perf_counter() - started
    result = table(figures)
    about = (f"Machine: {machine()}; SQLite {sqlite_version()}.\n"
             f"Revision {git_revision()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{'quick' if args.quick else 'full'} run in {elapsed:.0f} s.")
    print(result)
    print(about)
    if args.write:
        _write(result, about)
    return 0


def _write(result: str, about: str) -> None:
    path = BENCH / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    marker_start, marker_end = "<!-- results -->", "<!-- /results -->"
    block = f"{marker_start}\n{result}\n\n{about}\n{marker_end}"
    if marker_start in text and marker_end in text:
        head, rest = text.split(marker_start, 1)
        text = head + block + rest.split(marker_end, 1)[1]
    else:
        text = text + "\n" + block + "\n"
    path.write_text(text)
    print(f"recorded in {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
