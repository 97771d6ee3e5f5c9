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


def test_the_push_benchmark_pushes_its_submission(monkeypatch):
    """bench/push.py's setup: its seed loads, its submission is queued, and a push of it is answered OK."""
    import http.server
    import threading

    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("cpu", "push"):
        sys.modules.pop(name, None)
    import push

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), push._Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    emulator, push_one = push.make_pusher(f"http://127.0.0.1:{server.server_address[1]}/r.asmx")
    try:
        push_one()
        push_one()  # queued again by the first: the benchmark's loop works
        assert [p.state for p in emulator.push.pushes()] == ["sent", "sent", "waiting"]
        assert b"AR1000001" in push._Receiver.last_request
    finally:
        server.shutdown()
        emulator.close()


def test_the_batch_benchmark_reads_its_batch(monkeypatch):
    """bench/batch.py's batch: every correspondence in it is created, with no issue (its runner asserts so)."""
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("batch", None)
    import batch

    emulator, deliver_one_batch = batch.make_batch_runner()
    try:
        deliver_one_batch()
        assert len(emulator.correspondence_store.list_correspondences()) == batch.ITEMS
    finally:
        emulator.close()
