"""Steering the emulator's state over the admin API: reset, snapshots, seed data loaded at runtime, and the
clock as status results and reminders see it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import zeep

from .helpers import KARI, OLA, altinn_fault, notification

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SEEDED = {"service-owners": 3, "systems": 2, "services": 8, "templates": 5, "persons": 6, "organisations": 6,
          "users": 1, "correspondences": 0, "sdp": 0, "receipts": 0, "prefilled-sets": 0, "reportee-elements": 0,
          "archived-form-tasks": 0, "subscriptions": 0, "subscription-activations": 0, "download-queue": 0, "srr-rules": 0,
          "broker-shipments": 0, "pushes": 0, "push-attempts": 0, "data-batches": 0, "batch-issues": 0,
          "outbound-files": 0, "role-assignments": 11, "consents": 2, "temp-keys": 0, "consent-usages": 0, "cases": 0,
          "outbox": 0}
NEW_PERSON = "01019012057"  # valid national id, not in the default seed
NEW_ORGNO = "310000094"
NEW_SUBUNIT = "310000108"

NEW_OWNER = f"""
service_owners:
  - code: NYE
    orgno: "{NEW_ORGNO}"
    name: Nyetaten
    short_name: Nyetaten
    systems:
      - username: nye-system
        password: nye-password
    services:
      - code: "7000"
        edition: 1
        name: Melding fra Nyetaten
        kind: correspondence
"""


def loaded(**counts) -> dict:
    return {"loaded": {name: counts.get(name, 0) for name in
                       ("owners", "systems", "services", "templates", "persons", "organisations", "users")}}


# -- reset -------------------------------------------------------------------------------------------------


def test_reset_brings_the_state_back_to_the_seed(admin, soap):
    soap.insert("RESET-1")
    soap.notify()
    soap.test()
    assert admin.get("/state") != SEEDED
    assert admin.post("/reset") == {"reset": True}
    assert admin.get("/state") == SEEDED
    assert admin.outbox() == []


def test_reset_keeps_journal_fault_rules_snapshots_and_clock(admin, soap):
    soap.test()
    admin.add_fault({"type": "delay", "ms": 1}, binding="ec")
    snapshot = admin.post("/snapshots", 201, json={"label": "kept"})
    admin.post("/clock/advance", json={"days": 3})
    admin.post("/reset")
    assert len(admin.journal()) == 1
    assert len(admin.rules()) == 1
    assert admin.get("/snapshots")["snapshots"][0]["id"] == snapshot["id"]
    assert datetime.fromisoformat(admin.clock()["now"]) == NOW + timedelta(days=3)


def test_ids_restart_after_a_reset(admin, soap):
    first = soap.insert("IDS-1")
    soap.insert("IDS-2")
    admin.post("/reset")
    again = soap.insert("IDS-3")
    assert again.ReceiptId == first.ReceiptId
    assert [c["id"] for c in admin.state("correspondences")] == [1]
    assert admin.outbox()[0]["id"] == 1


def test_reset_lifts_a_lockout(admin, soap):
    for _ in range(5):
        with pytest.raises(zeep.exceptions.Fault):
            soap.notify(password="wrong")
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.notify()
    assert "locked out" in altinn_fault(soap.client("notification"), caught.value)["AltinnErrorMessage"]
    admin.post("/reset")
    soap.notify()


def test_reset_drops_seed_data_loaded_at_runtime_and_restores_replaced_entries(admin, soap):
    admin.post("/seed", data=NEW_OWNER + f"""
persons:
  - ssn: "{NEW_PERSON}"
    first_name: Nina
    last_name: Ny
    email: nina@example.no
  - ssn: "{OLA}"
    first_name: Ola
    last_name: Omskrevet
    email: ny.adresse@example.no
""")
    assert soap.notify(notification(OLA, transport="Email"))[0].EndPoints.EndPointResult[0].ReceiverAddress == \
        "ny.adresse@example.no"
    admin.post("/reset")
    assert admin.get("/state") == SEEDED
    assert NEW_PERSON not in {p["ssn"] for p in admin.state("persons")}
    assert "NYE" not in {o["code"] for o in admin.state("service-owners")}
    result = soap.notify(notification(OLA, transport="Email"))
    assert result[0].EndPoints.EndPointResult[0].ReceiverAddress == "ola.nordmann@example.no"
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.notify(notification(NEW_PERSON, transport="Email"))
    assert altinn_fault(soap.client("notification"), caught.value)["ErrorID"] == 60012
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.insert("GONE", username="nye-system", password="nye-password", service="7000")
    assert altinn_fault(soap.client("correspondence"), caught.value)["ErrorID"] == 989


# -- snapshots ---------------------------------------------------------------------------------------------


def test_take_and_list_snapshots(admin):
    assert admin.get("/snapshots") == {"snapshots": []}
    assert admin.post("/snapshots", 201, json={"label": "før"}) == {"id": 1, "label": "før"}
    admin.post("/clock/advance", json={"hours": 1})
    assert admin.post("/snapshots", 201) == {"id": 2, "label": None}
    assert admin.get("/snapshots") == {"snapshots": [
        {"id": 1, "created_at": NOW.isoformat(), "label": "før"},
        {"id": 2, "created_at": (NOW + timedelta(hours=1)).isoformat(), "label": None}]}


def test_restore_brings_back_state_and_clock(admin, soap):
    soap.insert("SNAP-1")
    snapshot = admin.post("/snapshots", 201, json={"label": "one message"})["id"]
    before = {kind: admin.state(kind) for kind in ("correspondences", "receipts", "outbox")}

    admin.post("/clock/advance", json={"days": 2})
    soap.insert("SNAP-2")
    soap.notify()
    admin.post(f"/correspondences/{before['correspondences'][0]['id']}/confirm")
    admin.delete("/outbox")

    assert admin.post(f"/snapshots/{snapshot}/restore") == {"restored": snapshot}
    assert {kind: admin.state(kind) for kind in before} == before
    assert admin.clock() == {"now": NOW.isoformat(), "frozen": True}


def test_ids_continue_from_the_snapshot_after_a_restore(admin, soap):
    soap.insert("SEQ-1")
    snapshot = admin.post("/snapshots", 201)["id"]
    discarded = soap.insert("SEQ-2")
    discarded_outbox = [m["id"] for m in admin.outbox(origin="correspondence:2")]
    admin.post(f"/snapshots/{snapshot}/restore")
    again = soap.insert("SEQ-3")
    assert again.ReceiptId == discarded.ReceiptId
    assert [(c["id"], c["senders_reference"]) for c in admin.state("correspondences")] == [(1, "SEQ-1"),
                                                                                           (2, "SEQ-3")]
    assert [m["id"] for m in admin.outbox(origin="correspondence:2")] == discarded_outbox
    ids = [m["id"] for m in admin.outbox()]
    assert len(ids) == len(set(ids))


def test_restore_brings_back_the_simple_service_counter(admin, soap):
    create = soap.client("correspondence").service.CreateSimpleCorrespondenceServiceBasic
    args = {"systemUserName": "ttd-system", "systemPassword": "ttd-password", "templateServiceCode": "2000",
            "templateServiceEditionCode": 1}
    assert create(**args).ExternalServiceCode == "100001"
    snapshot = admin.post("/snapshots", 201)["id"]
    assert create(**args).ExternalServiceCode == "100002"
    admin.post(f"/snapshots/{snapshot}/restore")
    assert create(**args).ExternalServiceCode == "100002"
    assert sorted(s["code"] for s in admin.state("services") if s["code"].startswith("1000")) == ["100001",
                                                                                                   "100002"]


def test_a_snapshot_can_be_restored_again_and_again(admin, soap):
    snapshot = admin.post("/snapshots", 201)["id"]
    for reference in ("A", "B", "C"):
        soap.insert(reference)
        admin.post(f"/snapshots/{snapshot}/restore")
        assert admin.get("/state") == SEEDED


def test_restore_brings_back_a_running_clock_running(admin, emulator):
    admin.put("/clock", json={"now": "2026-06-01T12:00:00Z", "frozen": False})
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.put("/clock", json={"now": "2027-01-01T00:00:00Z", "frozen": True})
    admin.post(f"/snapshots/{snapshot}/restore")
    clock = admin.clock()
    assert clock["frozen"] is False
    assert timedelta(0) <= datetime.fromisoformat(clock["now"]) - datetime(2026, 6, 1, 12, tzinfo=timezone.utc) \
        < timedelta(seconds=5)


def test_restore_brings_back_a_frozen_clock_frozen(admin):
    admin.put("/clock", json={"now": "2026-06-01T12:00:00Z"})
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.put("/clock", json={"frozen": False})
    admin.post(f"/snapshots/{snapshot}/restore")
    assert admin.clock() == {"now": "2026-06-01T12:00:00+00:00", "frozen": True}


def test_restore_keeps_journal_and_fault_rules(admin, soap):
    snapshot = admin.post("/snapshots", 201)["id"]
    soap.test()
    admin.add_fault({"type": "delay", "ms": 1}, binding="ec")
    admin.post(f"/snapshots/{snapshot}/restore")
    assert len(admin.journal()) == 1 and len(admin.rules()) == 1


def test_restore_after_a_reset(admin, soap):
    soap.insert("KEEP")
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.post("/reset")
    admin.post(f"/snapshots/{snapshot}/restore")
    assert [c["senders_reference"] for c in admin.state("correspondences")] == ["KEEP"]


def test_snapshots_hold_seed_data_loaded_at_runtime(admin, soap):
    snapshot_before = admin.post("/snapshots", 201)["id"]
    admin.post("/seed", data=NEW_OWNER)
    snapshot_after = admin.post("/snapshots", 201)["id"]
    admin.post(f"/snapshots/{snapshot_before}/restore")
    assert "NYE" not in {o["code"] for o in admin.state("service-owners")}
    admin.post(f"/snapshots/{snapshot_after}/restore")
    assert "NYE" in {o["code"] for o in admin.state("service-owners")}
    soap.insert("NYE-1", username="nye-system", password="nye-password", service="7000")


def test_unknown_snapshots_are_404(admin):
    assert admin.error("POST", "/snapshots/7/restore", 404) == "no snapshot 7"
    assert admin.error("DELETE", "/snapshots/7", 404) == "no snapshot 7"
    admin.error("POST", "/snapshots/abc/restore", 404)


def test_delete_a_snapshot(admin, soap):
    first = admin.post("/snapshots", 201)["id"]
    second = admin.post("/snapshots", 201, json={"label": "b"})["id"]
    assert admin.delete(f"/snapshots/{first}") == {"deleted": first}
    assert [s["id"] for s in admin.get("/snapshots")["snapshots"]] == [second]
    assert admin.error("POST", f"/snapshots/{first}/restore", 404) == f"no snapshot {first}"
    admin.error("DELETE", f"/snapshots/{first}", 404)
    soap.insert("AFTER-DELETE")
    admin.post(f"/snapshots/{second}/restore")
    assert admin.state("correspondences") == []


def test_after_restore_a_seed_may_reference_restored_runtime_data(admin):
    admin.post("/seed", data=NEW_OWNER)
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.post("/reset")
    admin.post(f"/snapshots/{snapshot}/restore")
    admin.post("/seed", data='templates: [{name: NyeMal, owner: NYE, languages: {1044: {sms: "{0}"}}}]')
    assert "NyeMal" in {t["name"] for t in admin.state("templates")}


def test_after_restore_a_seed_may_not_reference_runtime_data_the_restore_dropped(admin):
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.post("/seed", data=NEW_OWNER)
    admin.post(f"/snapshots/{snapshot}/restore")
    message = admin.error("POST", "/seed", 400,
                          data='templates: [{name: NyeMal, owner: NYE, languages: {1044: {sms: "{0}"}}}]')
    assert "unknown service owner 'NYE'" in message


# -- seed data at runtime ----------------------------------------------------------------------------------


def test_a_person_loaded_at_runtime_can_be_notified_at_once(admin, soap):
    body = admin.post("/seed", data=f"""
persons:
  - ssn: "{NEW_PERSON}"
    first_name: Nina
    last_name: Ny
    email: nina@example.no
    mobile: "+4798765432"
""")
    assert body == loaded(persons=1)
    result = soap.notify(notification(NEW_PERSON))
    assert [(e.TransportType, e.ReceiverAddress) for e in result[0].EndPoints.EndPointResult] == [
        ("Email", "nina@example.no"), ("SMS", "+4798765432")]
    assert {m["recipient_name"] for m in admin.outbox()} == {"Nina Ny"}


def test_seed_as_json(admin, soap):
    seed = {"persons": [{"ssn": NEW_PERSON, "first_name": "Jon", "last_name": "Json", "email": "jon@example.no"}],
            "users": [{"username": "selvreg_to", "name": "Sara Selv", "email": "sara@example.no"}]}
    assert admin.post("/seed", data=json.dumps(seed)) == loaded(persons=1, users=1)
    soap.notify(notification(NEW_PERSON, transport="Email"), notification("selvreg_to", transport="Email"))
    assert [m["address"] for m in admin.outbox()] == ["jon@example.no", "sara@example.no"]


def test_an_owner_with_system_and_service_loaded_at_runtime_works_at_once(admin, soap):
    assert admin.post("/seed", data=NEW_OWNER) == loaded(owners=1, systems=1, services=1)
    receipt = soap.insert("NYE-1", username="nye-system", password="nye-password", service="7000")
    assert receipt.ReceiptStatusCode == "OK"
    assert ("OwnerPartyReference", NEW_ORGNO) in {(r.ReferenceTypeName, r.ReferenceValue)
                                                   for r in receipt.References.Reference}
    aec = soap.insert("NYE-2", binding="aec2", orgno=NEW_ORGNO, service="7000")
    assert aec.ReceiptStatusCode == "OK"
    assert [c["owner"] for c in admin.state("correspondences")] == ["NYE", "NYE"]
    (entry, _) = admin.journal(caller="NYE")
    assert entry["caller"] == "nye-system"


def test_a_template_loaded_at_runtime_renders_at_once(admin, soap):
    admin.post("/seed", data="""
templates:
  - name: NyMal
    owner: TTD
    email_sender: mal@ttd.example
    languages:
      1044: {email_subject: "Hei $reporteeFirstName$", email_body: "Til deg: {0}"}
""")
    soap.notify(notification(transport="Email", NotificationType="NyMal",
                             TextTokens={"TextToken": [{"TokenValue": "innhold"}]}))
    (message,) = admin.outbox()
    assert (message["subject"], message["body"], message["sender"], message["template"]) == (
        "Hei Ola", "Til deg: innhold", "mal@ttd.example", "NyMal")
    with pytest.raises(zeep.exceptions.Fault) as caught:  # TTD's own: ETT may not use it
        soap.notify(notification(transport="Email", NotificationType="NyMal"), username="ett-system")
    assert altinn_fault(soap.client("notification"), caught.value)["ErrorID"] == 0


def test_organisations_loaded_at_runtime_and_parents_loaded_before(admin, soap):
    admin.post("/seed", data=f"""
organisations:
  - orgno: "{NEW_ORGNO}"
    name: Hovedenhet AS
    emails: [post@hoved.example]
""")
    body = admin.post("/seed", data=f"""
organisations:
  - orgno: "{NEW_SUBUNIT}"
    name: Underenhet
    parent: "{NEW_ORGNO}"
""")
    assert body == loaded(organisations=1)
    result = soap.notify(notification(NEW_SUBUNIT, transport="Email"))
    assert result[0].EndPoints.EndPointResult[0].ReceiverAddress == "post@hoved.example"  # the parent's


def test_references_to_owners_loaded_at_runtime_resolve(admin, soap):
    admin.post("/seed", data=NEW_OWNER)
    body = admin.post("/seed", data="""
templates:
  - name: NyeMal
    owner: NYE
    languages:
      1044: {email_subject: "{0}", email_body: "{1}"}
""")
    assert body == loaded(templates=1)
    admin.post("/seed", data=NEW_OWNER.replace("Nyetaten", "Nyetaten (omdøpt)"))  # replacing an entry is fine
    assert {o["code"]: o["name"] for o in admin.state("service-owners")}["NYE"] == "Nyetaten (omdøpt)"


def test_replacing_a_seeded_entry_at_runtime(admin, soap):
    admin.post("/seed", data=f'persons: [{{ssn: "{KARI}", first_name: Kari, last_name: Ny, '
                             f'email: kari.ny@example.no}}]')
    result = soap.notify(notification(KARI, transport="Email"))
    assert result[0].EndPoints.EndPointResult[0].ReceiverAddress == "kari.ny@example.no"
    assert admin.get("/state")["persons"] == SEEDED["persons"]


def test_an_empty_seed_loads_nothing(admin):
    assert admin.post("/seed") == loaded()
    assert admin.post("/seed", data="# nothing\n") == loaded()
    assert admin.post("/seed", data="{}") == loaded()


@pytest.mark.parametrize("seed,expected", [
    ("people: []", "request body: unknown top-level keys ['people']"),
    ('persons: [{ssn: "12345678901", first_name: A, last_name: B}]',
     "request body: person '12345678901': '12345678901' is not a valid national identity number"),
    ("persons: [{ssn: 23917710120, first_name: A, last_name: B}]",
     "request body: national identity number 23917710120 must be quoted"),
    (f'persons: [{{ssn: "{NEW_PERSON}", first_name: A, last_name: B, shoe_size: 44}}]',
     f"request body: person '{NEW_PERSON}': unknown person field(s) ['shoe_size']"),
    ('templates: [{name: X, owner: NOPE, languages: {1044: {sms: "{0}"}}}]',
     "request body: template 'X' belongs to unknown service owner 'NOPE'"),
    ('templates: [{name: X, languages: {9999: {sms: "{0}"}}}]',
     "request body: template 'X': unknown language 9999"),
    (f'organisations: [{{orgno: "{NEW_SUBUNIT}", name: X, parent: "{NEW_ORGNO}"}}]',
     f"request body: organisation {NEW_SUBUNIT} has unknown parent {NEW_ORGNO}"),
    ('service_owners: [{code: NEW, orgno: "123", name: X}]',
     "request body: service owner 'NEW': '123' is not a valid organisation number"),
    (f'service_owners: [{{code: NEW, orgno: "{NEW_ORGNO}", name: X, systems: 5}}]',
     "request body: 'systems' of service owner 'NEW' must be a list of mappings"),
    ("version: 2", "request body: seed format version 2 is not supported"),
    ("- a\n- b", "request body: the top level must be a mapping"),
    ("42", "request body: the top level must be a mapping"),
    ("persons: 5", "request body: 'persons' must be a list of mappings"),
    ('[{"persons": []}]', "request body: the top level must be a mapping"),
])
def test_an_invalid_seed_is_400_naming_the_entry(admin, seed, expected):
    message = admin.error("POST", "/seed", 400, data=seed.encode())
    assert message.startswith(expected), message
    assert admin.get("/state") == SEEDED


def test_a_seed_that_is_not_utf8_is_400(admin):
    assert admin.error("POST", "/seed", 400, data=b"persons: [\xff]") == "the seed must be UTF-8 text"


def test_an_invalid_seed_loads_nothing_at_all(admin):
    admin.error("POST", "/seed", 400, data=NEW_OWNER + f"""
persons:
  - ssn: "{NEW_PERSON}"
    first_name: Gyldig
    last_name: Person
  - ssn: "12345678901"
    first_name: Ugyldig
    last_name: Person
""")
    assert admin.get("/state") == SEEDED


@pytest.mark.parametrize("seed", [b"persons: [unclosed", b'{"persons": [', b"a: b: c", b"\tpersons: []"])
def test_a_seed_that_is_not_yaml_is_400(admin, seed):
    assert "not valid YAML or JSON" in admin.error("POST", "/seed", 400, data=seed)


def test_a_seed_nested_too_deeply_is_400(admin):
    nested = b'{"persons": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert "nested too deeply" in admin.error("POST", "/seed", 400, data=nested)


def test_an_unknown_service_kind_is_refused(admin):
    message = admin.error("POST", "/seed", 400, data=NEW_OWNER.replace("kind: correspondence",
                                                                       "kind: corespondence"))
    assert "corespondence" in message


# -- the clock as calls see it -----------------------------------------------------------------------------


def _sent_dates(soap) -> list:
    (status,) = soap.status()
    return [n.SentDate for n in status.Notifications.Notification]


def test_advancing_the_clock_sends_the_reminders(admin, soap):
    soap.insert("CLOCK-1")  # e-mail and SMS now, both again as reminders in 7 days
    sent = _sent_dates(soap)
    assert [d is not None for d in sent] == [True, True, False, False]
    assert len({d for d in sent if d}) == 1
    assert [m["is_reminder"] for m in admin.outbox()] == [False, False, True, True]

    admin.post("/clock/advance", json={"days": 6, "hours": 23, "minutes": 59, "seconds": 59})
    assert [d is not None for d in _sent_dates(soap)] == [True, True, False, False]
    admin.post("/clock/advance", json={"seconds": 1})
    later = _sent_dates(soap)
    assert all(later)
    assert later[2] - later[0] == timedelta(days=7) and later[2] == later[3]


def test_setting_the_clock_back_makes_reminders_pending_again(admin, soap):
    soap.insert("CLOCK-2")
    admin.put("/clock", json={"now": "2026-04-01T00:00:00Z"})
    assert all(_sent_dates(soap))
    admin.put("/clock", json={"now": NOW.isoformat()})
    assert [d is not None for d in _sent_dates(soap)] == [True, True, False, False]


def test_the_clock_dates_what_calls_create(admin, soap):
    admin.put("/clock", json={"now": "2026-12-24T15:30:00+01:00"})
    receipt = soap.insert("CLOCK-3")
    assert receipt.ReceiptHistory == "Dec 24 2026  3:30PM - OK - Correspondence Saved Successfully"
    (stored,) = admin.state("correspondences")
    assert datetime.fromisoformat(stored["created_at"]) == datetime(2026, 12, 24, 14, 30, tzinfo=timezone.utc)
    assert {datetime.fromisoformat(m["scheduled_at"]) for m in admin.outbox() if not m["is_reminder"]} == {
        datetime(2026, 12, 24, 14, 30, tzinfo=timezone.utc)}
    (entry,) = admin.journal()
    assert datetime.fromisoformat(entry["at"]) == datetime(2026, 12, 24, 14, 30, tzinfo=timezone.utc)


def test_a_running_clock_moves_between_calls_and_a_frozen_one_does_not(admin, soap):
    admin.put("/clock", json={"now": "2026-05-01T08:00:00Z", "frozen": False})
    soap.insert("RUN-1")
    soap.insert("RUN-2")
    created = [datetime.fromisoformat(c["created_at"]) for c in admin.state("correspondences")]
    start = datetime(2026, 5, 1, 8, tzinfo=timezone.utc)
    assert start < created[0] < created[1] < start + timedelta(seconds=10)

    admin.put("/clock", json={"frozen": True})
    frozen_at = datetime.fromisoformat(admin.clock()["now"])
    soap.insert("FROZEN-1")
    soap.insert("FROZEN-2")
    created = [datetime.fromisoformat(c["created_at"]) for c in admin.state("correspondences")[2:]]
    assert created == [frozen_at, frozen_at]


def test_a_lockout_ends_when_the_clock_passes_it(admin, soap):
    for _ in range(5):
        with pytest.raises(zeep.exceptions.Fault):
            soap.notify(password="wrong")
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify()
    admin.post("/clock/advance", json={"minutes": 15, "seconds": 1})
    soap.notify()
