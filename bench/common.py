"""What every benchmark shares: interleaved timing, the machine it ran on, and the result table.

Each figure is a ratio against a floor measured in the same run, so a noisy or slow machine moves both
sides together. Timings interleave subject and floor in short rounds and keep the median round, which
shrugs off a neighbour's burst of CPU.
"""

from __future__ import annotations

import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REQUESTS = BENCH / "requests"


@dataclass
class Figure:
    """One line of the result table: a measured value, its floor, and the target for their ratio."""

    name: str
    value: float
    floor: float
    unit: str
    target: str | None  # e.g. "<= 3.0" or ">= 0.5"; None: reported only
    note: str = ""
    ratio: float = field(init=False)

    def __post_init__(self):
        self.ratio = self.value / self.floor if self.floor else float("inf")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        op, limit = self.target.split()
        return self.ratio <= float(limit) if op == "<=" else self.ratio >= float(limit)

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]

    @property
    def target_text(self) -> str:
        return "—" if self.target is None else self.target.replace("<=", "≤").replace(">=", "≥") + "×"


class Server:
    """``altinn-so serve --port 0`` with its options, in a process group of its own; ``port`` once it prints
    its address."""

    def __init__(self, *options: str):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0",
                                         "--log-level", "warning", *options],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True)
        first = self.process.stdout.readline()
        found = re.search(r"serving on https?://[^:]+:(\d+) ", first)
        if not found:
            self.stop()
            raise RuntimeError(f"the server did not start: {first!r} {self.errors()}")
        self.port = int(found.group(1))
        # The rest of the endpoint list goes nowhere: a full pipe would stall the server.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to every process of the server (the master and its workers) at once."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def per_call(*functions: Callable[[], object], calls: int = 200, rounds: int = 15) -> tuple[float, ...]:
    """Median seconds per call of each function, timed in alternating rounds."""
    for _ in range(20):
        for fn in functions:
            fn()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for fn, out in zip(functions, times):
            started = time.perf_counter()
            for _ in range(calls):
                fn()
            out.append((time.perf_counter() - started) / calls)
    return tuple(statistics.median(t) for t in times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return (f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def sqlite_version() -> str:
    import sqlite3
    return sqlite3.sqlite_version


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "measured", "floor", "ratio", "target", "")]
    for f in figures:
        rows.append((f.name, f"{_fmt(f.value)} {f.unit}", f"{_fmt(f.floor)} {f.unit}", f"{f.ratio:.2f}×",
                     f.target_text, " — ".join(part for part in (f.verdict, f.note) if part)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def python() -> str:
    return sys.executable
