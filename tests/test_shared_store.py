"""Two emulator processes on one store are one emulated Altinn: the multi-host story.

Each store (a SQLite file, PostgreSQL) gets two ``altinn-so serve`` processes on their own ports. What is
done through one must be seen through the other: stored calls, the clock, seed data, fault rules and a
reset, even where the other had already cached what changed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
import requests

from domain.factories import national_id
from support.processes import CORRESPONDENCE, OLA, RECEIPT, Messages, ServerProcess, post, text_of
from support.stores import STORES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages()


@pytest.fixture(scope="module", params=STORES)
def pair(request, tmp_path_factory):
    if request.param == "sqlite":
        store = str(tmp_path_factory.mktemp("shared") / "shared.sqlite3")
    else:
        store = request.getfixturevalue("postgres_server").empty()
    first = ServerProcess("--db", store)
    try:
        second = ServerProcess("--db", store)
    except BaseException:
        first.stop()
        raise
    try:
        yield first.url, second.url
    finally:
        first.stop()
        second.stop()


@pytest.fixture(autouse=True)
def fresh(pair):
    first, _ = pair
    for call in (("POST", "/reset"), ("DELETE", "/faults"), ("PUT", "/clock")):
        method, path = call
        kwargs = {"json": {"frozen": False}} if method == "PUT" else {}
        requests.request(method, first + "/_admin" + path, timeout=10, **kwargs).raise_for_status()


def test_a_correspondence_stored_through_one_is_read_through_the_other(pair, messages):
    first, second = pair
    receipt_id = text_of(post(first, CORRESPONDENCE, messages.insert("HOST-A")), "ReceiptId")
    answer = post(second, RECEIPT, messages.get_receipt(int(receipt_id)))
    assert (text_of(answer, "ReceiptId"), text_of(answer, "ReceiptStatus")) == (receipt_id, "OK")
    stored = requests.get(second + "/_admin/state/correspondences", timeout=10).json()["correspondences"]
    assert [c["senders_reference"] for c in stored] == ["HOST-A"]


def test_both_number_their_calls_from_one_sequence(pair, messages):
    envelopes = [(server, messages.insert(f"BOTH-{n}")) for n in range(20) for server in pair]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda item: post(item[0], CORRESPONDENCE, item[1]), envelopes))
    assert sorted(int(text_of(answer, "ReceiptId")) for answer in answers) == list(range(1, 41))


def test_the_clock_set_through_one_is_the_other_s(pair, messages):
    first, second = pair
    requests.put(first + "/_admin/clock", json={"now": "2030-01-15T12:00:00+00:00", "frozen": True},
                 timeout=10).raise_for_status()
    clock = requests.get(second + "/_admin/clock", timeout=10).json()
    assert clock["frozen"] and datetime.fromisoformat(clock["now"]) == datetime.fromisoformat("2030-01-15T12:00:00+00:00")
    answer = post(second, CORRESPONDENCE, messages.insert("FROZEN"))
    assert text_of(answer, "LastChanged") == "2030-01-15T13:00:00"  # Norwegian time on the wire


def test_seed_data_loaded_through_one_reaches_the_other_s_cache(pair, messages):
    first, second = pair
    person = national_id(date(1995, 6, 1))
    body, action = messages.insert("NEW-PERSON")
    envelope = (body.replace(OLA.encode(), person.encode()), action)
    assert text_of(post(second, CORRESPONDENCE, envelope), "ErrorID") == "60012"  # unknown, as cached there
    requests.post(first + "/_admin/seed", timeout=10, data=(
        f"persons:\n  - ssn: '{person}'\n    first_name: Nyss\n    last_name: Lastet\n"
        "    email: nyss@example.no\n    mobile: '+4790011223'\n")).raise_for_status()
    assert text_of(post(second, CORRESPONDENCE, envelope), "ReceiptStatusCode") == "OK"


def test_a_fault_rule_set_through_one_fires_once_on_either(pair, messages):
    first, second = pair
    requests.post(first + "/_admin/faults", timeout=10, json={
        "match": {"operation": "InsertCorrespondence"}, "action": {"type": "altinn_fault", "error_id": 30008},
        "times": 1}).raise_for_status()
    assert text_of(post(second, CORRESPONDENCE, messages.insert("FAULTED")), "ErrorID") == "30008"
    assert text_of(post(first, CORRESPONDENCE, messages.insert("AFTER")), "ReceiptStatusCode") == "OK"
    assert text_of(post(second, CORRESPONDENCE, messages.insert("AFTER-2")), "ReceiptStatusCode") == "OK"


def test_a_reset_through_one_empties_the_other(pair, messages):
    first, second = pair
    post(second, CORRESPONDENCE, messages.insert("BEFORE-RESET"))
    requests.post(first + "/_admin/reset", timeout=10).raise_for_status()
    assert requests.get(second + "/_admin/state/correspondences", timeout=10).json()["correspondences"] == []
    assert text_of(post(second, CORRESPONDENCE, messages.insert("AFTER-RESET")), "ReceiptId") == "1"


def test_calls_through_either_are_in_one_journal(pair, messages):
    first, second = pair
    requests.delete(first + "/_admin/journal", timeout=10).raise_for_status()
    post(first, CORRESPONDENCE, messages.insert("JOURNAL-A"))
    post(second, CORRESPONDENCE, messages.insert("JOURNAL-B"))
    for server in pair:
        entries = requests.get(server + "/_admin/journal", timeout=10).json()["entries"]
        assert [("JOURNAL-A" in e["request"], "JOURNAL-B" in e["request"]) for e in entries] == \
            [(True, False), (False, True)]  # both calls, oldest first, whichever server journalled them
