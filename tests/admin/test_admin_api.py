"""The JSON admin API under /_admin over real HTTP: every endpoint's happy path and its error answers.

Fault rules, the journal, snapshots and seeding have files of their own; this one covers the rest and the
API's common behaviour (JSON everywhere, 404/405, bad input is a 400 that says what is wrong, never a
traceback)."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from altinn_so.domain.clock import ALTINN_TZ
from altinn_so.injection import PRESETS

from .helpers import JSON, AdminApi, KARI, OLA, RESERVED, notification

# TEST_NOW of tests/conftest.py: the emulator's frozen clock.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# Every admin route, with a concrete path, and the methods it answers.
ROUTES = [
    ("/health", {"GET"}),
    ("/ready", {"GET"}),
    ("/journal", {"GET", "DELETE"}),
    ("/journal/1", {"GET"}),
    ("/outbox", {"GET", "DELETE"}),
    ("/outbox/deliver", {"POST"}),
    ("/reset", {"POST"}),
    ("/snapshots", {"GET", "POST"}),
    ("/snapshots/1/restore", {"POST"}),
    ("/snapshots/1", {"DELETE"}),
    ("/seed", {"POST"}),
    ("/state", {"GET"}),
    ("/state/persons", {"GET"}),
    ("/clock", {"GET", "PUT"}),
    ("/clock/advance", {"POST"}),
    ("/correspondences/1/read", {"POST"}),
    ("/correspondences/1/confirm", {"POST"}),
    ("/faults", {"GET", "POST", "DELETE"}),
    ("/faults/presets", {"GET"}),
    ("/faults/1", {"DELETE"}),
    ("/worklist/23917710120", {"GET"}),
    ("/elements/1", {"GET"}),
    ("/elements/1/forms/5703", {"PUT", "PATCH"}),
    ("/elements/1/attachments", {"POST"}),
    ("/elements/1/attachments/1", {"GET", "DELETE"}),
    ("/elements/1/sign", {"POST"}),
    ("/elements/1/submit", {"POST"}),
    ("/archive", {"GET"}),
    ("/archive/AR1000001", {"GET"}),
]
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


# -- common behaviour --------------------------------------------------------------------------------------


def test_health_and_ready(admin):
    assert admin.get("/health") == {"status": "ok", "process": os.getpid()}  # served in this process
    assert admin.get("/ready") == {"ready": True}


@pytest.mark.parametrize("path", ["/health/", "/journal/", "/state/persons/", "/faults/presets/"])
def test_a_trailing_slash_is_accepted(admin, path):
    admin.get(path)


@pytest.mark.parametrize("path", ["/nothing", "/journal/abc", "/journal/1/2", "/state/Persons", "/state/p3rsons",
                                  "/snapshots/x/restore", "/correspondences/1/delete", "/faults/presets/x",
                                  "/HEALTH"])
def test_unknown_admin_paths_are_404_json(admin, path):
    message = admin.error("GET", path, 404)
    assert f"/_admin{path}" in message


HUGE = "9" * 23  # beyond any id a store can hold


@pytest.mark.parametrize("method, path", [("GET", f"/journal/{HUGE}"), ("POST", f"/snapshots/{HUGE}/restore"),
                                          ("DELETE", f"/snapshots/{HUGE}"), ("POST", f"/correspondences/{HUGE}/read"),
                                          ("DELETE", f"/faults/{HUGE}")])
def test_an_id_too_large_for_any_store_names_nothing(admin, method, path):
    assert f"/_admin{path}" in admin.error(method, path, 404)


def test_paths_that_only_start_like_the_prefix_belong_to_soap(admin, base_url):
    response = requests.get(base_url + "/_administration/health", timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/xml")  # a SOAP fault, not the admin API
    assert "DestinationUnreachable" in response.text


@pytest.mark.parametrize("path,allowed", ROUTES, ids=[r[0] for r in ROUTES])
def test_a_wrong_method_is_405_naming_the_allowed_ones(admin, path, allowed):
    allowed = allowed | ({"HEAD"} if "GET" in allowed else set())  # HEAD goes wherever GET goes
    for method in set(METHODS) - allowed:
        message = admin.error(method, path, 405)
        assert message == f"{method} is not allowed here; use {', '.join(sorted(allowed))}"


def test_a_405_carries_an_allow_header(admin):
    response = admin.call("PUT", "/journal", expect=405)
    assert response.headers.get("Allow") == "DELETE, GET, HEAD"


@pytest.mark.parametrize("path", ["/faults", "/snapshots", "/clock/advance"])
@pytest.mark.parametrize("body,expected", [(b"{not json", "the body is not JSON"),
                                           (b'{"a": 1', "the body is not JSON"),
                                           (b"[1, 2]", "the body must be a JSON object"),
                                           (b'"text"', "the body must be a JSON object"),
                                           (b"\xff\xfe{}", "the body is not JSON")])
def test_a_body_that_is_not_a_json_object_is_400(admin, path, body, expected):
    assert admin.error("POST", path, 400, data=body).startswith(expected)


@pytest.mark.parametrize("body", [b"{oops", b"[]"])
def test_put_clock_with_a_body_that_is_not_a_json_object_is_400(admin, body):
    admin.error("PUT", "/clock", 400, data=body)
    assert admin.clock() == {"now": NOW.isoformat(), "frozen": True}


def test_answers_are_utf8_json_without_escaping(admin):
    response = admin.call("GET", "/state/services", expect=200)
    assert response.headers["Content-Type"] == JSON
    assert "Søknad om testmidler".encode() in response.content


# -- state -------------------------------------------------------------------------------------------------

STATE_KINDS = ["service-owners", "systems", "services", "templates", "persons", "organisations", "users",
               "correspondences", "sdp", "receipts", "outbox"]


def test_state_summary_counts_each_kind(admin, soap):
    assert admin.get("/state") == {"service-owners": 3, "systems": 2, "services": 8, "templates": 5, "persons": 6,
                                   "organisations": 6, "users": 1, "correspondences": 0, "sdp": 0, "receipts": 0,
                                   "prefilled-sets": 0, "subscriptions": 0, "subscription-activations": 0,
                                   "reportee-elements": 0, "archived-form-tasks": 0, "download-queue": 0, "srr-rules": 0,
                                   "broker-shipments": 0, "pushes": 0, "push-attempts": 0, "data-batches": 0,
                                   "batch-issues": 0, "outbound-files": 0, "role-assignments": 11, "consents": 2,
                                   "temp-keys": 0, "consent-usages": 0, "cases": 0, "outbox": 0}
    soap.insert("STATE-1")
    summary = admin.get("/state")
    assert (summary["correspondences"], summary["receipts"], summary["outbox"]) == (1, 1, 4)


@pytest.mark.parametrize("kind", STATE_KINDS)
def test_every_state_kind_is_a_list_under_its_own_name(admin, kind):
    body = admin.get(f"/state/{kind}")
    assert list(body) == [kind] and isinstance(body[kind], list)


def test_state_shows_the_seeded_entities(admin):
    assert {o["code"] for o in admin.state("service-owners")} == {"ASF", "TTD", "ETT"}
    assert {s["username"] for s in admin.state("systems")} == {"ttd-system", "ett-system"}
    assert OLA in {p["ssn"] for p in admin.state("persons")}
    assert "310003018" in {o["orgno"] for o in admin.state("organisations")}
    assert [u["username"] for u in admin.state("users")] == ["selvreg_bruker"]
    assert "TokenTextOnly" in {t["name"] for t in admin.state("templates")}


def test_state_shows_correspondences_and_receipts_created_by_calls(admin, soap):
    receipt = soap.insert("STATE-2", title="Tittel")
    (correspondence,) = admin.state("correspondences")
    assert (correspondence["senders_reference"], correspondence["reportee"], correspondence["title"],
            correspondence["owner"], correspondence["receipt_id"]) == ("STATE-2", OLA, "Tittel", "TTD",
                                                                      receipt.ReceiptId)
    assert correspondence["status_changes"] == [["Created", NOW.isoformat()]]
    (stored,) = admin.state("receipts")
    assert (stored["id"], stored["status"], stored["type"]) == (receipt.ReceiptId, "OK", "Correspondence")
    assert ["ExternalShipmentReference", "STATE-2"] in stored["references"]


def test_state_limit_keeps_the_newest_in_order(admin, soap):
    receipts = [soap.insert(f"NEWEST-{n}").ReceiptId for n in range(4)]
    assert [c["senders_reference"] for c in admin.state("correspondences")] == [f"NEWEST-{n}" for n in range(4)]
    newest = admin.get("/state/correspondences", params={"limit": 2})["correspondences"]
    assert [c["senders_reference"] for c in newest] == ["NEWEST-2", "NEWEST-3"]
    assert [r["id"] for r in admin.get("/state/receipts", params={"limit": 3})["receipts"]] == receipts[1:]
    outbox = admin.get("/state/outbox", params={"limit": 5})["outbox"]
    assert [m["id"] for m in outbox] == [m["id"] for m in admin.state("outbox")][-5:]
    assert admin.get("/state/sdp", params={"limit": 1}) == {"sdp": []}
    owners = [o["code"] for o in admin.state("service-owners")]
    assert [o["code"] for o in admin.get("/state/service-owners", params={"limit": 2})["service-owners"]] == owners[-2:]
    assert len(admin.get("/state/correspondences", params={"limit": 100})["correspondences"]) == 4
    huge = "9" * 23  # beyond what the store's integers take: the same as no limit
    assert len(admin.get("/state/correspondences", params={"limit": huge})["correspondences"]) == 4
    assert admin.get("/journal", params={"offset": huge}) == {"entries": []}


@pytest.mark.parametrize("limit", ["0", "-1", "two"])
def test_a_bad_state_limit_is_400(admin, limit):
    assert admin.error("GET", "/state/receipts", 400, params={"limit": limit}) == \
        f"limit={limit!r} must be a positive integer"


def test_unknown_state_kind_is_404_listing_the_known_ones(admin):
    message = admin.error("GET", "/state/journal", 404)
    assert "'journal'" in message
    for kind in STATE_KINDS:
        assert f"'{kind}'" in message


# -- outbox ------------------------------------------------------------------------------------------------


@pytest.fixture
def outbox_rows(admin, soap):
    """Standalone notifications of TTD (Ola: e-mail + SMS; Kari: e-mail) and ETT (Kari, e-mail), and a
    correspondence of TTD to Ola (e-mail + SMS now, both again as reminders)."""
    soap.notify(notification(), notification(KARI, transport="Email"))
    soap.notify(notification(KARI, transport="Email"), username="ett-system")
    soap.insert("OUTBOX-1")
    return admin.outbox()


def test_outbox_lists_every_rendered_message(outbox_rows):
    assert len(outbox_rows) == 8
    first = outbox_rows[0]
    assert (first["channel"], first["address"], first["subject"], first["body"], first["reportee"],
            first["origin"], first["service_owner"], first["template"], first["is_reminder"]) == (
        "Email", "ola.nordmann@example.no", "Emne", "Tekst", OLA, "standalone", "TTD", "TokenTextOnly", False)
    assert [m["id"] for m in outbox_rows] == sorted(m["id"] for m in outbox_rows)


@pytest.mark.parametrize("params,expected", [
    ({"reportee": KARI}, 2),
    ({"reportee": OLA}, 6),
    ({"channel": "SMS"}, 3),
    ({"channel": "Email"}, 5),
    ({"origin": "standalone"}, 4),
    ({"origin": "correspondence:1"}, 4),
    ({"service_owner": "ETT"}, 1),
    ({"template": "VarselDPVMedRevarsel"}, 4),
    ({"reportee": OLA, "channel": "SMS", "origin": "correspondence:1"}, 2),
    ({"reportee": "00000000000"}, 0),
    ({"reportee": ""}, 8),  # an empty filter is no filter
])
def test_outbox_filters(admin, outbox_rows, params, expected):
    found = admin.outbox(**params)
    assert len(found) == expected
    for key, value in params.items():
        assert all(m[key] == value for m in found) or not value


def test_outbox_channel_must_be_sms_or_email(admin):
    assert admin.error("GET", "/outbox", 400, params={"channel": "Fax"}) == "channel must be SMS or Email"
    assert admin.error("GET", "/outbox", 400, params={"channel": "sms"}) == "channel must be SMS or Email"


def test_clearing_the_outbox(admin, outbox_rows):
    assert admin.delete("/outbox") == {"deleted": 8}
    assert admin.outbox() == []
    assert admin.delete("/outbox") == {"deleted": 0}
    assert len(admin.state("correspondences")) == 1  # only the outbox is cleared


def test_deliver_without_delivery_configured_is_409(admin, outbox_rows):
    message = admin.error("POST", "/outbox/deliver", 409)
    assert "no e-mail or SMS delivery is configured" in message
    assert len(admin.outbox()) == 8


def test_deliver_runs_the_configured_delivery_once(emulator, serve):
    rounds = []

    def deliver():
        rounds.append(1)
        return {"sent": 2, "failed": 0}

    admin_url = serve(emulator, deliver=deliver)
    api = AdminApi(admin_url)
    assert api.post("/outbox/deliver") == {"sent": 2, "failed": 0}
    assert rounds == [1]


def test_a_failing_delivery_is_a_500_without_traceback(emulator, serve):
    def deliver():
        raise RuntimeError("SMTP server on fire")

    api = AdminApi(serve(emulator, deliver=deliver))
    message = api.error("POST", "/outbox/deliver", 500)
    assert message == "internal error; see the emulator's log"


def test_a_store_failing_under_the_admin_api_is_a_json_500(emulator, serve, monkeypatch):
    api = AdminApi(serve(emulator))

    def broken():
        raise RuntimeError("the store is gone")

    monkeypatch.setattr(emulator, "sync", broken)
    for path in ("/", "/health", "/journal"):
        assert api.error("GET", path, 500) == "internal error; see the emulator's log"


# -- clock -------------------------------------------------------------------------------------------------


def test_get_clock(admin):
    assert admin.clock() == {"now": "2026-03-02T09:00:00+00:00", "frozen": True}


@pytest.mark.parametrize("value,expected", [
    ("2026-05-17T12:00:00Z", datetime(2026, 5, 17, 12, 0, tzinfo=timezone.utc)),
    ("2026-05-17T12:00:00+02:00", datetime(2026, 5, 17, 10, 0, tzinfo=timezone.utc)),
    ("2026-05-17T12:00:00", datetime(2026, 5, 17, 12, 0, tzinfo=ALTINN_TZ)),  # naive: Norwegian time
    ("2026-01-10", datetime(2026, 1, 10, tzinfo=ALTINN_TZ)),
])
def test_put_clock_sets_the_time(admin, emulator, value, expected):
    body = admin.put("/clock", json={"now": value})
    assert datetime.fromisoformat(body["now"]) == expected and body["frozen"] is True
    assert emulator.clock.now() == expected
    assert datetime.fromisoformat(admin.clock()["now"]) == expected


@pytest.mark.parametrize("value", ["9990-01-01T00:00:00Z", "9989-12-31T23:30:00-01:00", "9999-12-31T23:59:59"])
def test_put_clock_stays_ten_years_short_of_the_calendar_s_end(admin, emulator, value):
    assert admin.error("PUT", "/clock", 400, json={"now": value}).startswith("the clock stays before 9990-01-01")
    assert emulator.clock.now() == NOW
    admin.put("/clock", json={"now": "9989-12-31T23:59:59Z"})  # the latest it goes
    assert admin.error("POST", "/clock/advance", 400, json={"seconds": 1}).startswith("the clock stays before")


def test_put_clock_resume_and_freeze(admin, emulator):
    body = admin.put("/clock", json={"frozen": False})
    assert body["frozen"] is False and not emulator.clock.frozen
    assert abs(datetime.fromisoformat(body["now"]) - NOW) < timedelta(seconds=5)
    first = emulator.clock.now()
    later = wait_until_later(emulator, first)
    assert later > first  # it runs, from where it stood
    body = admin.put("/clock", json={"frozen": True})
    assert body["frozen"] is True
    stood = emulator.clock.now()
    assert datetime.fromisoformat(admin.clock()["now"]) == stood


def wait_until_later(emulator, instant):
    deadline = time.monotonic() + 2
    while emulator.clock.now() <= instant and time.monotonic() < deadline:
        time.sleep(0.005)
    return emulator.clock.now()


def test_put_clock_on_a_running_clock_keeps_it_running_from_the_new_time(admin, emulator):
    admin.put("/clock", json={"frozen": False})
    body = admin.put("/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert body["frozen"] is False
    now = emulator.clock.now()
    assert timedelta(0) <= now - datetime(2030, 1, 1, tzinfo=timezone.utc) < timedelta(seconds=5)


def test_put_clock_with_frozen_and_now_together(admin, emulator):
    admin.put("/clock", json={"frozen": False})
    body = admin.put("/clock", json={"frozen": True, "now": "2027-07-07T07:07:07Z"})
    assert body == {"now": "2027-07-07T07:07:07+00:00", "frozen": True}


def test_put_clock_with_a_bad_time_does_not_resume_or_freeze_either(admin, emulator):
    admin.put("/clock", json={"frozen": False})
    assert admin.error("PUT", "/clock", 400, json={"frozen": True, "now": "garbage"}) == \
        "now='garbage' is not an ISO 8601 time"
    assert not emulator.clock.frozen


def test_put_clock_with_an_empty_body_changes_nothing(admin):
    assert admin.put("/clock") == {"now": NOW.isoformat(), "frozen": True}
    assert admin.put("/clock", json={}) == {"now": NOW.isoformat(), "frozen": True}


@pytest.mark.parametrize("body,expected", [
    ({"now": "yesterday"}, "now='yesterday' is not an ISO 8601 time"),
    ({"now": "2026-02-30T00:00:00"}, "now='2026-02-30T00:00:00' is not an ISO 8601 time"),
    ({"now": 1234567890}, "now=1234567890 is not an ISO 8601 time"),
    ({"frozen": "yes"}, "frozen must be true or false"),
    ({"frozen": 1}, "frozen must be true or false"),
    ({"frozen": None}, "frozen must be true or false"),
])
def test_put_clock_refuses_bad_values(admin, emulator, body, expected):
    assert admin.error("PUT", "/clock", 400, json=body) == expected
    assert emulator.clock.now() == NOW and emulator.clock.frozen


@pytest.mark.parametrize("delta", [{"days": 1}, {"hours": 2}, {"minutes": 30}, {"seconds": 45},
                                   {"days": 1, "hours": 1, "minutes": 1, "seconds": 1}, {"hours": 1.5}])
def test_advance_the_clock(admin, emulator, delta):
    body = admin.post("/clock/advance", json=delta)
    assert datetime.fromisoformat(body["now"]) == NOW + timedelta(**delta)
    assert body["frozen"] is True
    assert emulator.clock.now() == NOW + timedelta(**delta)


def test_advance_adds_up(admin):
    admin.post("/clock/advance", json={"days": 1})
    body = admin.post("/clock/advance", json={"days": 6, "minutes": 1})
    assert datetime.fromisoformat(body["now"]) == NOW + timedelta(days=7, minutes=1)


def test_advance_a_running_clock(admin, emulator):
    admin.put("/clock", json={"frozen": False})
    body = admin.post("/clock/advance", json={"days": 3})
    assert body["frozen"] is False
    assert timedelta(days=3) <= emulator.clock.now() - NOW < timedelta(days=3, seconds=5)


@pytest.mark.parametrize("body", [None, {}, {"weeks": 1}, {"days": 1, "fortnights": 1}, {"days": "1"},
                                  {"days": None}, {"days": [1]}])
def test_advance_needs_an_amount_of_time(admin, emulator, body):
    message = admin.error("POST", "/clock/advance", 400, json=body)
    assert message.startswith("give a non-negative amount of time to advance: some of "
                              "['days', 'hours', 'minutes', 'seconds']")
    assert emulator.clock.now() == NOW


@pytest.mark.parametrize("body,expected", [
    (b'{"days": 999999999}', "the clock stays before 9990-01-01"),
    (b'{"days": 1e12}', "the clock stays before 9990-01-01"),
    (b'{"days": NaN}', "give a non-negative amount of time to advance"),
    (b'{"days": -1}', "give a non-negative amount of time to advance"),
    (b'{"days": true}', "give a non-negative amount of time to advance"),
])
def test_advance_out_of_range_is_400(admin, emulator, body, expected):
    assert admin.error("POST", "/clock/advance", 400, data=body).startswith(expected)
    assert emulator.clock.now() == NOW


# -- end-user steps ----------------------------------------------------------------------------------------


def test_read_then_confirm_a_correspondence(admin, soap, emulator):
    soap.insert("EU-1")
    (stored,) = emulator.correspondence_store.list_correspondences()
    admin.post("/clock/advance", json={"hours": 1})
    read = admin.post(f"/correspondences/{stored.id}/read")
    later = (NOW + timedelta(hours=1)).isoformat()
    assert read == {"id": stored.id, "status": "Read",
                    "status_changes": [["Created", NOW.isoformat()], ["Read", later]]}
    assert admin.post(f"/correspondences/{stored.id}/read") == read  # reading again changes nothing
    admin.post("/clock/advance", json={"hours": 1})
    confirmed = admin.post(f"/correspondences/{stored.id}/confirm")
    assert confirmed["status"] == "Confirmed"
    assert [s for s, _ in confirmed["status_changes"]] == ["Created", "Read", "Confirmed"]
    (status,) = soap.status()
    assert [c.StatusType for c in status.StatusChanges.StatusChangeV2] == ["Created", "Read", "Confirmed"]


def test_confirm_reads_first(admin, soap, emulator):
    soap.insert("EU-2")
    (stored,) = emulator.correspondence_store.list_correspondences()
    confirmed = admin.post(f"/correspondences/{stored.id}/confirm")
    assert [s for s, _ in confirmed["status_changes"]] == ["Created", "Read", "Confirmed"]
    assert admin.post(f"/correspondences/{stored.id}/read")["status"] == "Confirmed"


@pytest.mark.parametrize("step", ["read", "confirm"])
def test_end_user_step_on_an_unknown_correspondence_is_404(admin, step):
    assert admin.error("POST", f"/correspondences/4711/{step}", 404) == "correspondence 4711 does not exist"


@pytest.mark.parametrize("step", ["read", "confirm"])
def test_end_user_step_on_a_reserved_correspondence_is_409(admin, soap, emulator, step):
    soap.insert("EU-RES", reportee=RESERVED, IsReservable=True)
    (stored,) = emulator.correspondence_store.list_correspondences()
    message = admin.error("POST", f"/correspondences/{stored.id}/{step}", 409)
    assert "reserved" in message
    assert [c for c, _ in admin.state("correspondences")[0]["status_changes"]] == ["Created", "Reserved"]


def test_end_user_step_before_the_visible_time_is_409_until_the_clock_gets_there(admin, soap, emulator):
    soap.insert("EU-LATER", VisibleDateTime=NOW + timedelta(days=2))
    (stored,) = emulator.correspondence_store.list_correspondences()
    message = admin.error("POST", f"/correspondences/{stored.id}/read", 409)
    assert "not visible before" in message
    admin.post("/clock/advance", json={"days": 2})
    assert admin.post(f"/correspondences/{stored.id}/read")["status"] == "Read"


# -- fault rules (the endpoints; their effect is in test_fault_injection.py) --------------------------------


def test_fault_presets(admin):
    presets = admin.get("/faults/presets")["presets"]
    assert presets == {name: {"error_id": error_id, "message": message}
                       for name, (error_id, message) in PRESETS.items()}
    assert {"non-functional", "wrong-password", "locked-out", "not-authorized", "no-receipt"} <= set(presets)


def test_add_list_and_delete_fault_rules(admin):
    assert admin.rules() == []
    first = admin.post("/faults", 201, json={"match": {"operation": "InsertCorrespondence", "binding": "basic"},
                                             "action": {"type": "altinn_fault", "preset": "non-functional"}})
    assert first == {"id": 1, "match": {"operation": "InsertCorrespondence", "binding": "basic"},
                     "action": {"type": "altinn_fault", "preset": "non-functional"}, "times": 1, "when": "before",
                     "seen": 0, "fired": 0}
    second = admin.post("/faults", 201, json={"action": {"type": "delay", "ms": 10}, "times": None})
    assert (second["id"], second["match"], second["times"]) == (2, {}, None)
    third = admin.add_fault({"type": "drop_connection"}, when="after", caller="ttd-system", nth=2)
    assert (third["when"], third["match"]) == ("after", {"caller": "ttd-system", "nth": 2})
    assert [r["id"] for r in admin.rules()] == [1, 2, 3]

    assert admin.delete("/faults/2") == {"deleted": 2}
    assert [r["id"] for r in admin.rules()] == [1, 3]
    assert admin.error("DELETE", "/faults/2", 404) == "no fault rule 2"
    assert admin.delete("/faults") == {"deleted": 2}
    assert admin.rules() == []
    assert admin.delete("/faults") == {"deleted": 0}


@pytest.mark.parametrize("given", [{"id": 77, "seen": 5, "fired": 5}, {"id": "x", "seen": "abc", "fired": None}])
def test_a_rule_given_seen_fired_or_id_starts_fresh(admin, given):
    rule = admin.post("/faults", 201, json={**given, "action": {"type": "altinn_fault", "error_id": 1}})
    assert (rule["id"], rule["seen"], rule["fired"]) == (1, 0, 0)


@pytest.mark.parametrize("body,expected", [
    ({}, "'action': "),
    ({"action": {"type": "explode"}}, "action type must be one of"),
    ({"action": {"type": "altinn_fault"}}, "an altinn_fault needs an error_id or a preset"),
    ({"action": {"type": "altinn_fault", "preset": "nope"}}, "unknown preset 'nope'"),
    ({"action": {"type": "altinn_fault", "error_id": 1}, "priority": 1}, "unknown fault rule fields ['priority']"),
    ({"match": {"operation": "X", "service": "Y"}, "action": {"type": "drop_connection"}},
     "unknown 'match' fields ['service']"),
    ({"action": {"type": "delay", "seconds": 1}}, "unknown 'action' fields ['seconds']"),
    ({"match": "everything", "action": {"type": "drop_connection"}}, "'match' must be an object"),
    ({"action": ["drop_connection"]}, "'action' must be an object"),
    ({"match": {"nth": 0}, "action": {"type": "drop_connection"}}, "match.nth must be a positive integer"),
    ({"match": {"nth": "2"}, "action": {"type": "drop_connection"}}, "match.nth must be a positive integer"),
    ({"times": 0, "action": {"type": "drop_connection"}}, "times must be a positive integer"),
    ({"times": "twice", "action": {"type": "drop_connection"}}, "times must be a positive integer"),
    ({"when": "during", "action": {"type": "drop_connection"}}, "when must be 'before' or 'after'"),
    ({"action": {"type": "receipt_status", "status": "Lost"}}, "receipt_status needs a status among"),
    ({"action": {"type": "receipt_status"}}, "receipt_status needs a status among"),
    ({"action": {"type": "receipt_status", "status": ["OK"]}}, "receipt_status needs a status among"),
    ({"action": {"type": "receipt_status", "status": "OK", "text": 10 ** 20}}, "action.text must be a string"),
    ({"action": {"type": "receipt_status", "status": "OK", "text": "a\u0000b"}},
     "action.text holds a character XML cannot carry"),
    ({"action": {"type": "altinn_fault", "error_id": 1, "message": "\u0001"}},
     "action.message holds a character XML cannot carry"),
    ({"action": {"type": "altinn_fault", "preset": ["general"]}}, "unknown preset ['general']"),
    ({"action": {"type": "altinn_fault", "error_id": 2 ** 31}}, "error_id must be an integer (an Int32"),
    ({"times": 10 ** 19, "action": {"type": "drop_connection"}}, "times must be a positive integer"),
    ({"match": {"nth": 10 ** 19}, "action": {"type": "drop_connection"}}, "match.nth must be a positive integer"),
    ({"action": {"type": "http_status", "status": 99}}, "http_status needs an HTTP status code"),
    ({"action": {"type": "http_status", "status": "503"}}, "http_status needs an HTTP status code"),
    ({"action": {"type": "http_status", "status": 600}}, "http_status needs an HTTP status code"),
    ({"action": {"type": "delay"}}, "delay needs ms between 0 and 600000"),
    ({"action": {"type": "delay", "ms": -1}}, "delay needs ms between 0 and 600000"),
    ({"action": {"type": "delay", "ms": 600_001}}, "delay needs ms between 0 and 600000"),
    ({"action": {"type": "delay", "ms": 1}, "when": "after"}, "delay has no 'after' form"),
    ({"action": {"type": "receipt_status", "status": "Rejected"}, "when": "after"},
     "receipt_status has no 'after' form"),
])
def test_invalid_fault_rules_are_400_saying_why(admin, body, expected):
    assert expected in admin.error("POST", "/faults", 400, json=body)
    assert admin.rules() == []


def test_a_non_integer_error_id_is_refused(admin):
    admin.error("POST", "/faults", 400, json={"action": {"type": "altinn_fault", "error_id": "abc"}})


def test_deleting_a_rule_by_a_non_numeric_id_is_404(admin):
    admin.error("DELETE", "/faults/abc", 404)


def test_an_admin_body_over_10_mib_is_413(admin, base_url):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.putrequest("POST", "/_admin/seed")
        connection.putheader("Content-Type", "application/x-yaml")
        connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
        connection.endheaders()  # the body never comes: the length alone is refused
        response = connection.getresponse()
        assert response.status == 413
        assert response.getheader("Content-Type") == JSON
        assert json.loads(response.read()) == {"error": "request bodies are limited to 10485760 bytes"}
    finally:
        connection.close()
    assert admin.get("/state")["persons"] == 6


def test_head_is_answered_wherever_get_is(admin):
    response = admin.call("HEAD", "/journal", expect=200)
    assert response.content == b"" and response.headers["Content-Type"].startswith("application/json")
