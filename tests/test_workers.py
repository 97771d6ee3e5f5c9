"""``altinn-so serve --workers N``: several processes over one store behave as one emulated Altinn.

The server runs as a real subprocess with three workers. Calls run concurrently from several threads,
each on a connection of its own, so the kernel hands them to whichever worker accepts first; afterwards
the shared state must hold every call, each with its own ids, and no update may be lost. (That each
process sees what another changed is shown deterministically, with two servers on one store, in
test_shared_store.py.)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from support.processes import CORRESPONDENCE, RECEIPT, Messages, ServerProcess, post, text_of

WORKERS = 3
THREADS = 6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("workers") / "shared.sqlite3"
    process = ServerProcess("--workers", str(WORKERS), "--threads", "4", "--db", str(database))
    try:
        assert f"{WORKERS} worker processes" in process.first_line
        yield process.url
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def fresh(server):
    requests.post(server + "/_admin/reset", timeout=10).raise_for_status()
    requests.delete(server + "/_admin/journal", timeout=10).raise_for_status()


def worker_of_a_call(server: str) -> int:
    return requests.get(server + "/_admin/health", headers={"Connection": "close"}, timeout=10).json()["process"]


def test_concurrent_calls_reach_several_workers(server):
    with ThreadPoolExecutor(12) as pool:
        assert len(set(pool.map(lambda _: worker_of_a_call(server), range(300)))) > 1


def test_concurrent_inserts_get_their_own_ids_and_all_are_kept(server, messages):
    references = [f"PARALLEL-{n}" for n in range(60)]
    envelopes = [messages.insert(reference) for reference in references]
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda envelope: post(server, CORRESPONDENCE, envelope), envelopes))

    receipt_ids = [int(text_of(answer, "ReceiptId")) for answer in answers]
    assert sorted(receipt_ids) == list(range(1, 61))  # unique, and no gaps: no call was lost or counted twice
    stored = requests.get(server + "/_admin/state/correspondences", timeout=10).json()["correspondences"]
    assert sorted(c["senders_reference"] for c in stored) == sorted(references)
    assert sorted(c["id"] for c in stored) == list(range(1, 61))
    assert sorted(c["receipt_id"] for c in stored) == list(range(1, 61))
    outbox = requests.get(server + "/_admin/outbox", timeout=10).json()["messages"]
    assert len(outbox) == 120 and len({m["id"] for m in outbox}) == 120  # an e-mail and an SMS each
    assert len({m["notification_id"] for m in outbox}) == 60
    journal = requests.get(server + "/_admin/journal", params={"operation": "InsertCorrespondenceBasicV2"},
                           timeout=10).json()["entries"]
    assert len(journal) == 60 and {e["outcome"] for e in journal} == {"ok"}


def test_concurrent_updates_of_one_receipt_lose_nothing(server, messages):
    receipt_id = int(text_of(post(server, CORRESPONDENCE, messages.insert("SHARED")), "ReceiptId"))
    texts = [f"update {n}" for n in range(30)]
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda text: post(server, RECEIPT, messages.update_receipt(receipt_id, text)),
                                texts))
    assert all(text_of(answer, "ReceiptId") == str(receipt_id) for answer in answers)
    history = text_of(post(server, RECEIPT, messages.get_receipt(receipt_id)), "ReceiptHistory")
    for text in texts:  # every update's line is there: none overwrote another
        assert f"{text} (Receipt updated by AgencySystem: TTD)" in history
    assert len(history.splitlines()) == 31


def test_failed_logins_on_all_workers_add_up_to_a_lock_out(server, messages):
    for n in range(5):
        answer = post(server, CORRESPONDENCE, messages.insert(f"WRONG-{n}", password="wrong"))
        assert text_of(answer, "ErrorID") == "989"
    answer = post(server, CORRESPONDENCE, messages.insert("RIGHT"))
    assert "locked out" in text_of(answer, "AltinnErrorMessage")


def test_workers_without_a_database_file_share_a_temporary_one(messages):
    process = ServerProcess("--workers", "2")
    try:
        temporary = re.search(r"database: (\S+) \(temporary", process.first_line).group(1)
        assert Path(temporary).exists()
        directory = Path(temporary).parent
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda n: post(process.url, CORRESPONDENCE, messages.insert(f"T-{n}")), range(8)))
        assert sorted(int(text_of(answer, "ReceiptId")) for answer in answers) == list(range(1, 9))
    finally:
        process.stop()
    assert not directory.exists()  # removed when the server stops, with the journal and lock files beside it


def test_a_killed_worker_is_replaced_and_the_others_answer_meanwhile(server, messages):
    before: set[int] = set()
    for _ in range(20):  # until every worker has answered
        with ThreadPoolExecutor(12) as pool:
            before |= set(pool.map(lambda _: worker_of_a_call(server), range(100)))
        if len(before) == WORKERS:
            break
    assert len(before) == WORKERS, before
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (seen - before):  # until the replacement has answered
        with ThreadPoolExecutor(12) as pool:
            seen |= set(pool.map(lambda _: worker_of_a_call(server), range(60)))  # every call answered meanwhile
    assert victim not in seen
    assert len(seen - before) == 1, f"no new worker answered: {seen}"
    answer = post(server, CORRESPONDENCE, messages.insert("AFTER-THE-KILL"))
    assert text_of(answer, "ReceiptId") is not None


def test_a_worker_that_cannot_serve_stops_the_server_instead_of_being_restarted_forever():
    code = ("import sys\nimport altinn_so.server\n"
            "def broken(self):\n    raise OSError('simulated')\n"
            "altinn_so.server._Server.prepare = broken\n"
            "from altinn_so.cli import main\n"
            "sys.exit(main(['serve', '--port', '0', '--workers', '2']))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 3, run.stderr[-2000:]
    assert "a worker could not start serving" in run.stderr
    assert run.stderr.count("OSError: simulated") <= 2  # each worker once, not again and again
