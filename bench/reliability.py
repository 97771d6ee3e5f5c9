"""Reliability: kill -9 in the middle of load, then count what was acknowledged against what is stored.

For each store (a SQLite file, and PostgreSQL when a server answers at ``ALTINN_SO_TEST_POSTGRES`` or the local
default), three rounds on the same store: ``altinn-so serve --workers 2`` under 16 threads of mixed calls
(InsertCorrespondenceBasicV2 with a reference of its own, SendStandaloneNotificationBasicV3 with a marker in its
text), SIGKILL to the master and its workers at once after a few seconds, a restart on the same store, and the
count. An acknowledged call is one answered 200 with its result; a call the kill cut off has no answer and may or
may not be stored, so it is not counted either way. What must hold:

- lost: no acknowledged correspondence (by its reference) or notification (by its marker) is missing;
- duplicates: no reference stored twice, no id used twice;
- gaps: correspondence, receipt, notification and outbox ids run from 1 without a gap, across the kills.

The figure is the stored share of the acknowledged calls (the floor), which must be 1, and is 0 when anything above
went wrong (a gap or a duplicate too); the note gives the counts.

    python reliability.py [--quick]
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import REQUESTS, Figure, Server
from cpu import CALLS

INSERT, NOTIFY = "InsertCorrespondenceBasicV2", "SendStandaloneNotificationBasicV3"
POSTGRES_ADMIN = os.environ.get("ALTINN_SO_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Tally:
    """What the clients were told, over every round on one store."""

    references: set[str] = field(default_factory=set)  # acknowledged inserts
    markers: set[str] = field(default_factory=set)  # acknowledged notifications
    cut: int = 0  # calls the kill left without an answer
    refused: list[str] = field(default_factory=list)  # calls answered with anything but their result
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Load:
    """``threads`` clients calling in a loop on kept-alive connections until stopped (or the server is gone)."""

    def __init__(self, port: int, threads: int, round_name: str, tally: Tally):
        self.port, self.round_name, self.tally = port, round_name, tally
        self.insert = (REQUESTS / f"{INSERT}.xml").read_text(encoding="utf-8")
        self.notify = (REQUESTS / f"{NOTIFY}.xml").read_text(encoding="utf-8")
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def _client(self, number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        count = 0
        while not self.stopping.is_set():
            count += 1
            mark = f"{self.round_name}-{number}-{count}"
            name = INSERT if count % 2 else NOTIFY
            body = (self.insert.replace(">BENCH-1<", f">{mark}<") if name == INSERT
                    else self.notify.replace("Du har fått et nytt brev", mark))
            path, action = CALLS[name]
            try:
                connection.request("POST", path, body.encode("utf-8"), {
                    "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'})
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                with self.tally.lock:
                    self.tally.cut += 1
                connection.close()
                if self.stopping.wait(0.05):
                    return
                continue
            with self.tally.lock:
                if response.status != 200:
                    self.tally.refused.append(f"{name} answered {response.status}: {answer[:200]!r}")
                else:
                    (self.tally.references if name == INSERT else self.tally.markers).add(mark)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


def _get(port: int, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return json.loads(body)
    finally:
        connection.close()


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _get(port, "/_admin/ready")
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _numbering_faults(name: str, ids: list[int]) -> list[str]:
    """Duplicates and gaps in ``ids``, which must run 1, 2, ... without either."""
    faults = []
    if len(ids) != len(set(ids)):
        faults.append(f"{len(ids) - len(set(ids))} duplicate {name} ids")
    missing = set(range(1, max(ids, default=0) + 1)) - set(ids)
    if missing:
        faults.append(f"{len(missing)} gaps in {name} ids (first {min(missing)})")
    return faults


def check(port: int, tally: Tally) -> tuple[int, int, list[str]]:
    """(acknowledged calls, of those stored, everything wrong) on a server started after the last kill."""
    correspondences = _get(port, "/_admin/state/correspondences")["correspondences"]
    receipts = _get(port, "/_admin/state/receipts")["receipts"]
    outbox = _get(port, "/_admin/outbox")["messages"]
    references = [c["senders_reference"] for c in correspondences]
    faults = [f"{len(tally.refused)} calls refused under load (first: {tally.refused[0]})"] if tally.refused else []
    if len(references) != len(set(references)):
        faults.append(f"{len(references) - len(set(references))} references stored twice")
    faults += _numbering_faults("correspondence", [c["id"] for c in correspondences])
    faults += _numbering_faults("receipt", [r["id"] for r in receipts])
    faults += _numbering_faults("outbox message", [m["id"] for m in outbox])
    faults += _numbering_faults("notification", sorted({m["notification_id"] for m in outbox}))
    markers_sent = {m["body"] for m in outbox if m["origin"] == "standalone"}
    stored_markers = {marker for marker in tally.markers if any(marker in body for body in markers_sent)}
    stored = len(tally.references & set(references)) + len(stored_markers)
    acknowledged = len(tally.references) + len(tally.markers)
    if stored < acknowledged:
        faults.append(f"{acknowledged - stored} acknowledged calls lost")
    return acknowledged, stored, faults


def crash_rounds(database: str, rounds: int, threads: int, seconds: float, workers: int = 2) -> tuple[Tally, tuple]:
    """``rounds`` times: serve, load, kill -9 mid-load; then serve once more and check."""
    tally = Tally()
    for number in range(rounds):
        server = Server("--workers", str(workers), "--db", database)
        try:
            _wait_ready(server.port)
            load = _Load(server.port, threads, f"R{number}", tally)
            time.sleep(seconds)
            server.kill()  # the load is still running: calls are in flight in both workers
            load.stop()
        finally:
            server.kill()
    server = Server("--db", database)
    try:
        _wait_ready(server.port)
        return tally, check(server.port, tally)
    finally:
        server.stop()


class _PostgresDatabase:
    """A scratch database on the PostgreSQL server, dropped afterwards; ``url`` is None when there is none."""

    def __init__(self):
        self.name = f"altinn_so_reliability_{uuid.uuid4().hex[:10]}"
        self.url: str | None = None
        self.unavailable = ""
        try:
            import psycopg
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = urlunsplit(urlsplit(POSTGRES_ADMIN)._replace(path="/" + self.name))
        except Exception as exc:  # no driver, no server, no rights
            self.unavailable = f"{type(exc).__name__}: {exc}"

    def drop(self) -> None:
        if self.url is not None:
            import psycopg
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _figure(store: str, rounds: int, tally: Tally, result: tuple) -> Figure:
    acknowledged, stored, faults = result
    verdict = "; ".join(faults) if faults else "none lost, no duplicate, no id gap"
    # Any fault fails the figure, a gap or a duplicate too (the stored share alone would still be whole).
    return Figure(f"kill -9 under load, {store}, 2 workers, {rounds} rounds: acknowledged calls stored",
                  0 if faults else stored, acknowledged, "calls", ">= 1.0",
                  note=f"{verdict}; {acknowledged:,} acknowledged, {tally.cut} cut by the kills")


def run(quick: bool = False) -> list[Figure]:
    rounds, threads, seconds = (1, 8, 1.5) if quick else (3, 16, 4.0)
    figures = []
    with tempfile.TemporaryDirectory(prefix="altinn-so-bench-") as scratch:
        tally, result = crash_rounds(str(Path(scratch) / "crash.sqlite3"), rounds, threads, seconds)
        figures.append(_figure("SQLite", rounds, tally, result))
    postgres = _PostgresDatabase()
    if postgres.url is None:
        print(f"reliability: PostgreSQL skipped ({postgres.unavailable})", file=sys.stderr)
        return figures
    try:
        tally, result = crash_rounds(postgres.url, rounds, threads, seconds)
        figures.append(_figure("PostgreSQL", rounds, tally, result))
    finally:
        postgres.drop()
    return figures


if __name__ == "__main__":
    from common import table

    print(table(run("--quick" in sys.argv)))
