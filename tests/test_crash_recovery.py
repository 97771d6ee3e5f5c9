"""kill -9 in the middle of load loses no acknowledged call and leaves no id gap or duplicate (issue 19).

``altinn-so serve --workers 2`` on a SQLite file, and on PostgreSQL, takes inserts from several threads; the
master and both workers are killed at once while calls are in flight; a new server on the same store must hold
every correspondence whose insert was answered, each once, with ids and receipt ids running from 1 without a gap
(a call the kill cut off may or may not be stored). ``make bench`` (suite ``reliability``) does the same over three
rounds with mixed calls.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from support.processes import CORRESPONDENCE, Messages, ServerProcess, SOAP11
from support.stores import STORES

pytestmark = pytest.mark.slow
THREADS = 6
ACKNOWLEDGED_BEFORE_THE_KILL = 60


class _Inserts:
    """Threads inserting correspondences with references of their own until the server is gone."""

    def __init__(self, url: str, messages: Messages):
        self.url, self.messages = url, messages
        self.acknowledged: list[str] = []
        self.refused: list[str] = []  # answers other than a receipt (none may come; the kill sends no answer)
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in self.threads:
            thread.start()

    def _client(self, number: int) -> None:
        session = requests.Session()
        count = 0
        while not self.stopping.is_set():
            count += 1
            reference = f"CRASH-{number}-{count}"
            body, action = self.messages.insert(reference)
            try:
                response = session.post(self.url + CORRESPONDENCE, data=body, timeout=30,
                                        headers={"Content-Type": SOAP11, "SOAPAction": f'"{action}"'})
            except requests.RequestException:  # the kill: this call has no answer, stored or not
                return
            if response.status_code == 200:
                self.acknowledged.append(reference)
            else:
                self.refused.append(f"{response.status_code}: {response.text[:300]}")

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages()


@pytest.mark.parametrize("store", STORES)
def test_kill_9_under_load_loses_no_acknowledged_call_and_leaves_no_gap(store, tmp_path, postgres_server, messages):
    database = str(tmp_path / "crash.sqlite3") if store == "sqlite" else postgres_server.empty()
    server = ServerProcess("--workers", "2", "--db", database, own_group=True)
    try:
        inserts = _Inserts(server.url, messages)
        deadline = time.monotonic() + 60
        while len(inserts.acknowledged) < ACKNOWLEDGED_BEFORE_THE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # the threads are still calling
        inserts.stop()
    finally:
        server.kill()
    assert inserts.refused == []
    assert len(inserts.acknowledged) >= ACKNOWLEDGED_BEFORE_THE_KILL

    restarted = ServerProcess("--db", database)
    try:
        stored = requests.get(restarted.url + "/_admin/state/correspondences", timeout=30).json()["correspondences"]
        receipts = requests.get(restarted.url + "/_admin/state/receipts", timeout=30).json()["receipts"]
    finally:
        restarted.stop()
    references = [c["senders_reference"] for c in stored]
    assert set(inserts.acknowledged) <= set(references), "an acknowledged insert was lost"
    assert len(references) == len(set(references)), "an insert was stored twice"
    assert sorted(c["id"] for c in stored) == list(range(1, len(stored) + 1))
    assert sorted(r["id"] for r in receipts) == list(range(1, len(receipts) + 1))
    assert sorted(c["receipt_id"] for c in stored) == sorted(r["id"] for r in receipts)
