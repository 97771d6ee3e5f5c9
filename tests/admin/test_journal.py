"""The request journal through the admin API: every SOAP call answered is recorded with what a test needs
to see (time, path, binding, operation, caller, reportees, outcome, ErrorID, the request and response
bodies); WSDL downloads, plain GETs, unknown paths and admin calls are not."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import zeep
from lxml import etree

from altinn_so.domain.clock import Clock
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed

from .helpers import KARI, OLA, SOAP11, AdminApi, envelope11, notification, path_of, raw_test

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SEED = default_seed()
CORRESPONDENCE_BASIC = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc"
NOTIFICATION_BASIC = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"
CORRESPONDENCE_NS = "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10"
FIELDS = {"id", "at", "method", "path", "binding", "service", "operation", "base_operation", "caller", "owner",
          "reportees", "status", "outcome", "error_id", "error_message", "duration_ms", "fault_rule", "request",
          "response", "warnings"}


@pytest.fixture(params=["in memory", "in a SQLite file"])
def emulator(request, clock, tmp_path):
    """Each test on both journals: in memory (a store no other process shares: ``MemoryJournal``) and in the
    store (``SqlJournal``, in the file beside a SQLite file)."""
    settings = Settings() if request.param == "in memory" else Settings(database=str(tmp_path / "altinn.db"))
    emu = Emulator(settings, clock=clock, seed=SEED)
    yield emu
    emu.close()


def xml_text(document: str, local_name: str) -> list[str]:
    root = etree.fromstring(document.encode())
    return [element.text for element in root.iter() if etree.QName(element).localname == local_name]


# -- what is recorded --------------------------------------------------------------------------------------


def test_a_successful_call_is_recorded_with_everything(admin, soap):
    receipt = soap.insert("J-1")
    (entry,) = admin.journal()
    assert set(entry) == FIELDS
    assert {key: entry[key] for key in FIELDS - {"request", "response", "duration_ms"}} == {
        "id": 1, "at": NOW.isoformat(), "method": "POST", "path": CORRESPONDENCE_BASIC, "binding": "basic",
        "service": "CorrespondenceAgencyExternal", "operation": "InsertCorrespondenceBasicV2",
        "base_operation": "InsertCorrespondence", "caller": "ttd-system", "owner": "TTD", "reportees": [OLA], "status": 200, "outcome": "ok",
        "error_id": None, "error_message": None, "fault_rule": None, "warnings": []}
    assert entry["duration_ms"] > 0
    assert xml_text(entry["request"], "ExternalShipmentReference") == ["J-1"]
    assert xml_text(entry["request"], "systemPassword") == ["********"]  # masked (see test_journal_secrets)
    assert xml_text(entry["response"], "ReceiptStatusCode") == ["OK"]
    assert xml_text(entry["response"], "ReceiptId") == [str(receipt.ReceiptId)]


def test_an_altinn_fault_is_recorded_with_its_error_id_and_message(admin, soap):
    with pytest.raises(zeep.exceptions.Fault):
        soap.insert("J-2", service="9999")
    (entry,) = admin.journal()
    assert (entry["status"], entry["outcome"], entry["error_id"], entry["caller"], entry["reportees"]) == (
        500, "fault", 40013, "ttd-system", [OLA])
    assert entry["error_message"]
    assert xml_text(entry["response"], "ErrorID") == ["40013"]
    assert xml_text(entry["response"], "AltinnErrorMessage") == [entry["error_message"]]


def test_a_failed_login_is_recorded_with_the_claimed_caller(admin, soap):
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(notification(KARI, transport="Email"), password="wrong")
    (entry,) = admin.journal()
    assert (entry["error_id"], entry["outcome"], entry["caller"], entry["owner"], entry["reportees"]) == (
        989, "fault", "ttd-system", "TTD", [KARI])


@pytest.mark.parametrize("binding,caller", [("basic", "ttd-system"), ("ws", "ttd-system"), ("ec2", "ttd-system"),
                                            ("aec2", "TTD")])
def test_every_binding_records_binding_and_caller(admin, soap, binding, caller):
    soap.insert(f"J-{binding}", binding=binding)
    (entry,) = admin.journal()
    assert (entry["binding"], entry["caller"], entry["owner"], entry["outcome"]) == (binding, caller, "TTD", "ok")
    assert entry["path"] == path_of("correspondence", binding)
    soap12 = binding != "basic"
    assert ("http://www.w3.org/2003/05/soap-envelope" in entry["response"]) is soap12


def test_the_unauthenticated_test_operation_has_no_caller(admin, soap):
    soap.test("receipt", "ws")
    (entry,) = admin.journal()
    assert (entry["operation"], entry["binding"], entry["service"], entry["caller"], entry["reportees"]) == (
        "Test", "ws", "ReceiptAgencyExternal", None, [])


def test_every_reportee_of_a_call_is_recorded_once(admin, soap):
    soap.notify(notification(), notification(KARI, transport="Email"), notification())
    (entry,) = admin.journal()
    assert entry["reportees"] == [OLA, KARI]


def test_the_time_is_the_emulators_clock(admin, soap):
    admin.put("/clock", json={"now": "2031-12-24T15:00:00+01:00"})
    soap.test()
    (entry,) = admin.journal()
    assert datetime.fromisoformat(entry["at"]) == datetime(2031, 12, 24, 14, 0, tzinfo=timezone.utc)


def test_entries_are_oldest_first_with_increasing_ids(admin, soap):
    soap.test()
    soap.notify()
    soap.test("correspondence")
    entries = admin.journal()
    assert [e["id"] for e in entries] == [1, 2, 3]
    assert [e["operation"] for e in entries] == ["Test", "SendStandaloneNotificationBasicV3", "Test"]


# -- hostile and malformed input ---------------------------------------------------------------------------


def _post(base_url, path, body: bytes, headers=SOAP11):
    return requests.post(base_url + path, data=body, headers=headers, timeout=10)


def test_malformed_xml_is_recorded_as_sent(admin, base_url):
    body = b"<s:Envelope><unclosed>"
    response = _post(base_url, NOTIFICATION_BASIC, body)
    assert response.status_code == 400
    (entry,) = admin.journal()
    assert (entry["status"], entry["outcome"], entry["error_id"], entry["operation"], entry["binding"],
            entry["service"], entry["caller"]) == (400, "fault", 0, None, "basic", "NotificationAgencyExternal",
                                                   None)
    assert entry["request"] == body.decode()
    assert entry["response"] == response.text


def test_a_dtd_is_recorded_but_never_expanded(admin, base_url):
    body = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&x;</s:Body></s:Envelope>')
    assert _post(base_url, NOTIFICATION_BASIC, body).status_code == 400
    (entry,) = admin.journal()
    assert entry["request"] == body.decode() and "root:" not in entry["response"]


def test_bytes_that_are_not_utf8_are_kept_readable(admin, base_url):
    body = b"\xff\xfe<\x00s\x00"
    assert _post(base_url, NOTIFICATION_BASIC, body).status_code == 400
    (entry,) = admin.journal()
    assert entry["outcome"] == "fault" and "\ufffd" in entry["request"]


def test_an_unknown_operation_on_a_known_path_is_recorded(admin, base_url):
    action = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10/INotificationAgencyExternalBasic/Nope"
    response = _post(base_url, NOTIFICATION_BASIC, envelope11("<Nope xmlns='urn:x'/>"),
                     {**SOAP11, "SOAPAction": f'"{action}"'})
    assert response.status_code == 500
    (entry,) = admin.journal()
    assert (entry["operation"], entry["error_id"], entry["outcome"]) == (None, 0, "fault")
    assert "ContractFilter mismatch" in entry["error_message"]
    assert action in entry["error_message"]


def test_an_unknown_body_element_without_an_action_is_recorded(admin, base_url):
    assert _post(base_url, NOTIFICATION_BASIC, envelope11("<Nope xmlns='urn:x'/>")).status_code == 500
    (entry,) = admin.journal()
    assert (entry["operation"], entry["error_id"]) == (None, 0)


def test_a_body_that_cannot_be_read_is_recorded_with_its_operation(admin, base_url):
    ns = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10"
    body = (f'<SendStandaloneNotificationBasicV2 xmlns="{ns}"><systemUserName>ttd-system</systemUserName>'
            "<systemPassword>ttd-password</systemPassword><standaloneNotifications><StandaloneNotification "
            "xmlns='http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2009/10'><LanguageID "
            "xmlns='http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10'>bokmål</LanguageID>"
            "</StandaloneNotification></standaloneNotifications></SendStandaloneNotificationBasicV2>")
    assert _post(base_url, NOTIFICATION_BASIC, envelope11(body)).status_code == 500
    (entry,) = admin.journal()
    assert (entry["operation"], entry["error_id"], entry["caller"]) == ("SendStandaloneNotificationBasicV2", 0, None)
    assert "deserialize" in entry["error_message"]
    assert "bokmål" in entry["request"]


def test_wrong_content_type_and_wrong_method_are_recorded(admin, base_url):
    assert _post(base_url, NOTIFICATION_BASIC, envelope11("<x/>"),
                 {"Content-Type": "application/soap+xml"}).status_code == 415
    assert requests.put(base_url + NOTIFICATION_BASIC, data=b"<x/>", headers=SOAP11, timeout=5).status_code == 405
    assert requests.delete(base_url + NOTIFICATION_BASIC, timeout=5).status_code == 405
    entries = admin.journal()
    assert [(e["method"], e["status"], e["outcome"], e["binding"]) for e in entries] == [
        ("POST", 415, "fault", "basic"), ("PUT", 405, "fault", "basic"), ("DELETE", 405, "fault", "basic")]
    assert entries[0]["error_id"] == 0
    assert entries[0]["request"] == ""  # refused before the body was read


def test_a_405_is_recorded_with_the_error_id_it_answered(admin, base_url):
    response = requests.put(base_url + NOTIFICATION_BASIC, data=b"<x/>", headers=SOAP11, timeout=5)
    assert xml_text(response.text, "ErrorID") == ["0"]
    (entry,) = admin.journal()
    assert entry["error_id"] == 0
    assert entry["error_message"] == xml_text(response.text, "AltinnErrorMessage")[0]


def test_an_empty_body_is_recorded(admin, base_url):
    assert _post(base_url, NOTIFICATION_BASIC, b"").status_code == 400
    (entry,) = admin.journal()
    assert (entry["status"], entry["error_id"], entry["request"]) == (400, 0, "")


def test_hostile_text_is_stored_verbatim(admin, soap):
    hostile = "<script>alert('x')</script> & \u0000-free \U0001F600"
    soap.insert("J-HOSTILE", title=hostile.replace("\u0000", ""))
    (entry,) = admin.journal()
    assert xml_text(entry["request"], "MessageTitle") == [hostile.replace("\u0000", "")]


def test_what_is_not_recorded(admin, base_url):
    http = requests.Session()
    for path in (CORRESPONDENCE_BASIC + "?wsdl", CORRESPONDENCE_BASIC + "?singleWsdl", CORRESPONDENCE_BASIC,
                 path_of("notification", "ec2") + "?WSDL"):
        assert http.get(base_url + path, timeout=5).status_code == 200
    assert http.head(base_url + CORRESPONDENCE_BASIC, timeout=5).status_code == 200
    assert http.post(base_url + "/ServiceEngineExternal/Nowhere.svc", data=envelope11("<x/>"), headers=SOAP11,
                     timeout=5).status_code == 404
    assert http.get(base_url + "/", timeout=5).status_code == 404
    admin.get("/health")
    admin.get("/journal")
    admin.call("GET", "/")
    assert admin.journal() == []
    assert admin.get("/state")["outbox"] == 0


# -- filters -----------------------------------------------------------------------------------------------


@pytest.fixture
def calls(admin, soap):
    """A: Test; B: TTD notifies Ola (basic); an hour later C: ETT notifies Kari (ws); D: TTD inserts with an
    unknown service (fault 40013, to Ola); E: TTD's AEC2 certificate inserts to Ola."""
    soap.test()
    soap.notify()
    admin.post("/clock/advance", json={"hours": 1})
    soap.notify(notification(KARI, transport="Email"), binding="ws", username="ett-system")
    with pytest.raises(zeep.exceptions.Fault):
        soap.insert("J-D", service="9999")
    soap.insert("J-E", binding="aec2")
    return {e["id"]: e for e in admin.journal()}


def _ids(admin, **params) -> list[int]:
    return [e["id"] for e in admin.journal(**params)]


@pytest.mark.parametrize("params,expected", [
    ({}, [1, 2, 3, 4, 5]),
    ({"operation": "Test"}, [1]),
    ({"operation": "SendStandaloneNotificationBasicV3"}, [2]),
    ({"operation": "SendStandaloneNotificationV3"}, [3]),
    ({"operation": "InsertCorrespondenceAECV2"}, [5]),
    ({"binding": "basic"}, [1, 2, 4]),
    ({"binding": "WS"}, [3]),
    ({"binding": "aec2"}, [5]),
    ({"caller": "ttd-system"}, [2, 4]),
    ({"caller": "TTD"}, [2, 4, 5]),  # the owner code finds its systems' calls and its certificate's
    ({"caller": "ett-system"}, [3]),
    ({"caller": "ETT"}, [3]),
    ({"caller": "nobody"}, []),
    ({"reportee": OLA}, [2, 4, 5]),
    ({"reportee": KARI}, [3]),
    ({"reportee": OLA[:-1]}, []),  # whole numbers only
    ({"outcome": "fault"}, [4]),
    ({"outcome": "ok"}, [1, 2, 3, 5]),
    ({"since": "2026-03-02T09:30:00Z"}, [3, 4, 5]),
    ({"since": "2026-03-02T10:00:00+00:00"}, [3, 4, 5]),  # bounds included
    ({"since": "2026-03-02T11:00:01+01:00"}, []),
    ({"since": "2026-03-02T10:30:00"}, [3, 4, 5]),  # naive: Norwegian time (09:30 UTC)
    ({"since": "2026-03-02"}, [1, 2, 3, 4, 5]),
    ({"limit": 2}, [4, 5]),  # the newest N, still oldest first
    ({"limit": 100}, [1, 2, 3, 4, 5]),
    ({"limit": 1, "outcome": "ok"}, [5]),
    ({"binding": "basic", "caller": "TTD", "reportee": OLA, "outcome": "ok"}, [2]),
    ({"operation": "", "binding": "", "caller": "", "reportee": "", "outcome": "", "since": "", "limit": ""},
     [1, 2, 3, 4, 5]),
])
def test_journal_filters(admin, calls, params, expected):
    assert _ids(admin, **params) == expected


def test_bodies_can_be_left_out(admin, calls):
    for value in ("0", "false", "no"):
        entries = admin.journal(bodies=value)
        assert len(entries) == 5 and all(set(e) == FIELDS - {"request", "response"} for e in entries)
    assert all(set(e) == FIELDS for e in admin.journal(bodies="1"))


@pytest.mark.parametrize("params,expected", [
    ({"since": "yesterday"}, "since='yesterday' is not an ISO 8601 time"),
    ({"since": "2026-13-01"}, "since='2026-13-01' is not an ISO 8601 time"),
    ({"limit": "ten"}, "limit='ten' must be a positive integer"),
    ({"limit": "1.5"}, "limit='1.5' must be a positive integer"),
])
def test_bad_filter_values_are_400(admin, params, expected):
    assert admin.error("GET", "/journal", 400, params=params) == expected


def test_a_negative_limit_is_400(admin, calls):
    admin.error("GET", "/journal", 400, params={"limit": "-1"})


def test_the_reportee_filter_has_no_wildcards(admin, calls):
    assert _ids(admin, reportee="%") == []
    assert _ids(admin, reportee=OLA[:-1] + "_") == []


# -- one entry, clearing, the limit -------------------------------------------------------------------------


def test_one_entry_by_id(admin, calls):
    entry = admin.get("/journal/4")
    assert entry == calls[4]
    assert set(entry) == FIELDS and entry["error_id"] == 40013
    assert admin.error("GET", "/journal/99", 404) == "no journal entry 99"


def test_clearing_the_journal(admin, calls, soap):
    assert admin.delete("/journal") == {"deleted": 5}
    assert admin.journal() == []
    admin.error("GET", "/journal/1", 404)
    soap.test()
    (entry,) = admin.journal()
    assert entry["id"] > 5  # ids are not reused: an id a test holds never names another call
    assert admin.delete("/journal/") == {"deleted": 1}


@pytest.mark.parametrize("limit, calls", [(3, 5), (100, 150)])
def test_the_journal_keeps_the_newest_entries(serve, limit, calls):
    emulator = Emulator(Settings(journal_limit=limit), clock=Clock(frozen_at=NOW))
    try:
        url = serve(emulator)
        api = AdminApi(url)
        for _ in range(calls):
            assert raw_test(api.http, url).status_code == 200
        assert [e["id"] for e in api.journal(bodies=0)] == list(range(calls - limit + 1, calls + 1))
    finally:
        emulator.close()


def test_injected_faults_name_their_rule(admin, soap):
    rule = admin.add_fault({"type": "altinn_fault", "error_id": 30008}, operation="Test")
    with pytest.raises(zeep.exceptions.Fault):
        soap.test()
    soap.test()
    first, second = admin.journal()
    assert (first["fault_rule"], first["error_id"], first["outcome"]) == (rule["id"], 30008, "fault")
    assert (second["fault_rule"], second["outcome"]) == (None, "ok")
    assert admin.journal(outcome="fault")[0]["id"] == first["id"]


def test_requests_that_raced_each_other_are_all_recorded(admin, base_url):
    import concurrent.futures

    def call(_):
        with requests.Session() as http:
            return raw_test(http, base_url).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(call, range(24))) == [200] * 24
    entries = admin.journal(bodies=0)
    assert len(entries) == 24 and len({e["id"] for e in entries}) == 24



def test_an_unexpected_error_is_recorded_as_a_non_functional_fault(admin, soap, emulator, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(emulator.authenticator, "authenticate", explode)
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify()
    (entry,) = admin.journal()
    assert (entry["status"], entry["outcome"], entry["error_id"]) == (500, "fault", 0)
    assert entry["error_message"].startswith("Your request suffered from a non-functional error.")
    guid = xml_text(entry["response"], "ErrorGuid")[0]
    assert f"[{guid}]" in entry["error_message"]
    assert "secret internals" not in entry["response"] and "Traceback" not in entry["response"]


@pytest.mark.parametrize("name", ["InsertCorrespondence", "insertcorrespondence", "INSERTCORRESPONDENCEBASICV2"])
def test_the_operation_filter_takes_wire_or_base_names_in_any_case(admin, soap, name):
    soap.insert("OP-1")
    soap.notify(notification(transport="Email"))
    assert [e["operation"] for e in admin.journal(operation=name)] == ["InsertCorrespondenceBasicV2"]


def test_a_call_commits_before_its_reply_is_written(serve, admin, soap, tmp_path, monkeypatch):
    """On a SQLite file, other workers neither wait for a call's reply nor miss what it stored."""
    import sqlite3

    from altinn_so.soap.wsgi import SoapApplication

    path = tmp_path / "altinn.db"
    seen_while_replying = []
    reply = SoapApplication._reply

    def checking_reply(self, *args):
        other = sqlite3.connect(path, timeout=0)  # another worker, one that will not wait
        try:
            other.execute("BEGIN IMMEDIATE")  # the write lock is free ...
            seen_while_replying.append(other.execute("SELECT senders_reference FROM correspondences").fetchall())
            other.rollback()
        finally:
            other.close()
        return reply(self, *args)

    monkeypatch.setattr(SoapApplication, "_reply", checking_reply)
    emulator = Emulator(Settings(database=str(path)), clock=Clock(frozen_at=NOW))
    try:
        serve(emulator)
        soap.insert("COMMITTED-FIRST")
        assert seen_while_replying == [[("COMMITTED-FIRST",)]]  # ... and the call's writes are committed
        (entry,) = admin.journal(bodies=0)
        assert entry["operation"] == "InsertCorrespondenceBasicV2" and entry["status"] == 200
    finally:
        emulator.close()


# -- warnings: what a call's body lost without a fault -------------------------------------------------------

CORRESPONDENCE_2010 = "http://schemas.altinn.no/services/ServiceEngine/Correspondence/2010/10"
CORRESPONDENCE_ACTION = CORRESPONDENCE_NS + "/ICorrespondenceAgencyExternalBasic/InsertCorrespondenceBasicV2"


def node_soap_insert(reference: str) -> bytes:
    """InsertCorrespondenceBasicV2 as node-soap writes it from the Basic WSDL: the Notification items in the
    namespace of their list (the correspondence's) instead of the notification namespace, where WCF finds none."""
    c = CORRESPONDENCE_2010
    return envelope11(
        f'<InsertCorrespondenceBasicV2 xmlns="{CORRESPONDENCE_NS}"><systemUserName>ttd-system</systemUserName>'
        f"<systemPassword>ttd-password</systemPassword><SystemUserCode>TTD</SystemUserCode>"
        f"<ExternalShipmentReference>{reference}</ExternalShipmentReference><Correspondence>"
        f'<ServiceCode xmlns="{c}">5678</ServiceCode><ServiceEdition xmlns="{c}">1</ServiceEdition>'
        f'<Reportee xmlns="{c}">{OLA}</Reportee><Content xmlns="{c}"><LanguageCode>1044</LanguageCode>'
        f"<MessageTitle>Vedtak</MessageTitle><MessageSummary>Kort</MessageSummary><MessageBody>Hei</MessageBody>"
        f'</Content><Notifications xmlns="{c}"><!-- a comment is no element --><Notification>'
        f"<LanguageCode>1044</LanguageCode><NotificationType>TokenTextOnly</NotificationType>"
        f"<ReceiverEndPoints><ReceiverEndPoint><TransportType>Email</TransportType></ReceiverEndPoint>"
        f"</ReceiverEndPoints></Notification></Notifications></Correspondence></InsertCorrespondenceBasicV2>")


@pytest.fixture(params=["in memory", "in a SQLite file", "on PostgreSQL"])
def any_journal(request, serve, clock, tmp_path):
    """The test server on an emulator of each journal: MemoryJournal, SqlJournal in a SQLite journal file, and
    SqlJournal in PostgreSQL's journal table."""
    database = {"in memory": ":memory:", "in a SQLite file": str(tmp_path / "altinn.db")}.get(request.param) \
        or request.getfixturevalue("postgres_server").empty()
    emu = Emulator(Settings(database=database), clock=clock, seed=SEED)
    url = serve(emu)
    api = AdminApi(url)
    yield url, api
    api.http.close()
    emu.close()


def test_list_items_in_the_wrong_namespace_answer_ok_and_are_journalled_as_warnings(any_journal):
    url, api = any_journal
    response = requests.post(url + CORRESPONDENCE_BASIC, data=node_soap_insert("NODE-1"),
                             headers={**SOAP11, "SOAPAction": f'"{CORRESPONDENCE_ACTION}"'}, timeout=10)
    assert response.status_code == 200, response.text
    assert xml_text(response.text, "ReceiptStatusCode") == ["OK"]  # as WCF answered: the call went through ...
    assert api.outbox() == []  # ... and the notification was lost
    (entry,) = api.journal()
    assert entry["outcome"] == "ok"
    assert entry["warnings"] == [{"name": "Notification", "namespace": CORRESPONDENCE_2010,
                                  "parent": "/InsertCorrespondenceBasicV2/Correspondence/Notifications"}]
    assert api.get(f"/journal/{entry['id']}")["warnings"] == entry["warnings"]

    assert raw_test(api.http, url).status_code == 200  # a call that lost nothing has no warnings
    clean = api.journal()[-1]
    assert clean["warnings"] == []
    assert [e["id"] for e in api.journal(warnings=1)] == [entry["id"]]
    assert [e["id"] for e in api.journal(warnings="false")] == [clean["id"]]
    assert api.error("GET", "/journal", 400, params={"warnings": "maybe"}) == \
        "warnings='maybe' must be 1 or 0 (true or false)"


def test_a_call_that_loses_nothing_has_no_warnings(admin, soap):
    soap.insert("CLEAN-1")
    (entry,) = admin.journal()
    assert entry["warnings"] == [] and admin.journal(warnings=1) == []
