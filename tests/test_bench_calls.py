"""The CPU benchmark's calls work, in the one app it measures them in (bench/cpu.py): a benchmark whose setup or
stored request has gone stale fails here, not first in `make bench`."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_every_cpu_benchmark_call_succeeds_in_one_app(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("cpu", None)
    import cpu

    app = cpu.make_app()
    try:
        for operation in cpu.CALLS:  # in the suite's order, as run() measures them
            _, call = cpu.caller(app, operation)
            assert call().startswith(b"<"), operation  # caller's call() raises on any status but 200
    finally:
        app.emulator.close()
