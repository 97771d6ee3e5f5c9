"""Fault injection end to end: rules added over the admin API, calls made with zeep clients built from our
WSDLs. Each action, each way of matching, how often a rule fires, several rules at once, and what a
failure before or after the call leaves in the emulator's state."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests
import zeep
from lxml import etree

from altinn_so.injection import PRESETS

from .helpers import KARI, OLA, Soap, SOAP11, TEST_ACTION, TEST_BODY, altinn_fault, envelope11, notification, path_of, \
    wait_for

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def fault_of(soap, call, service: str = "correspondence", binding: str = "basic") -> dict:
    """Make ``call``, which must fail with an AltinnFault; its fields, parsed with the client's schema."""
    with pytest.raises(zeep.exceptions.Fault) as caught:
        call()
    return altinn_fault(soap.client(service, binding), caught.value)


def error_id(soap, call, service: str = "notification", binding: str = "basic") -> int | None:
    """The ErrorID ``call`` fails with, or None when it succeeds."""
    try:
        call()
    except zeep.exceptions.Fault as fault:
        return altinn_fault(soap.client(service, binding), fault)["ErrorID"]
    return None


def nothing_stored(admin) -> bool:
    state = admin.get("/state")
    return (state["correspondences"], state["receipts"], state["outbox"]) == (0, 0, 0)


# -- altinn_fault ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("binding", ["basic", "ws", "ec2", "aec2"])
def test_altinn_fault_with_explicit_id_and_texts(admin, soap, binding):
    admin.add_fault({"type": "altinn_fault", "error_id": 30008, "message": "Fant ikke kvitteringen",
                     "extended": "Utvidet forklaring", "localized": "Receipt not found"},
                    operation="InsertCorrespondence")
    fault = fault_of(soap, lambda: soap.insert("AF-1", binding=binding), binding=binding)
    assert (fault["ErrorID"], fault["AltinnErrorMessage"], fault["AltinnExtendedErrorMessage"],
            fault["AltinnLocalizedErrorMessage"], fault["UserGuid"]) == (
        30008, "Fant ikke kvitteringen", "Utvidet forklaring", "Receipt not found", "-no value-")
    assert GUID.fullmatch(fault["ErrorGuid"])
    assert nothing_stored(admin)


def test_altinn_fault_with_only_an_error_id_has_the_generic_texts(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 40013})
    fault = fault_of(soap, lambda: soap.insert("AF-2"))
    assert (fault["ErrorID"], fault["AltinnErrorMessage"], fault["AltinnExtendedErrorMessage"],
            fault["AltinnLocalizedErrorMessage"]) == (40013, "An error occurred", "No information available",
                                                      "An error occurred")


def test_the_fault_is_soap_11_or_12_as_the_binding_speaks(admin, base_url):
    admin.add_fault({"type": "altinn_fault", "error_id": 7}, times=None)
    basic = requests.post(base_url + path_of("notification"), data=envelope11(TEST_BODY),
                          headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'}, timeout=5)
    assert basic.status_code == 500 and basic.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(basic.content)
    assert root.findtext(".//faultcode") == "s:Client"
    assert root.findtext(".//{*}ErrorID") == "7"

    soap12 = "http://www.w3.org/2003/05/soap-envelope"
    ws = requests.post(base_url + path_of("notification", "ws"),
                       data=f'<s:Envelope xmlns:s="{soap12}"><s:Body>{TEST_BODY}</s:Body></s:Envelope>'.encode(),
                       headers={"Content-Type": f'application/soap+xml; charset=utf-8; action="{TEST_ACTION}"'},
                       timeout=5)
    assert ws.status_code == 500 and ws.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    root = etree.fromstring(ws.content)
    assert root.findtext(f".//{{{soap12}}}Code/{{{soap12}}}Value") == "s:Sender"
    assert root.findtext(".//{*}ErrorID") == "7"


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset(admin, soap, preset):
    expected_id, expected_message = PRESETS[preset]
    admin.add_fault({"type": "altinn_fault", "preset": preset})
    fault = fault_of(soap, lambda: soap.notify(), service="notification")
    assert fault["ErrorID"] == expected_id
    guid = fault["ErrorGuid"]
    assert GUID.fullmatch(guid)
    assert fault["AltinnErrorMessage"] == expected_message.replace("{guid}", guid)
    assert "{guid}" not in fault["AltinnErrorMessage"]
    assert admin.outbox() == []


def test_the_non_functional_preset_names_its_error_guid(admin, soap):
    admin.add_fault({"type": "altinn_fault", "preset": "non-functional"}, times=2)
    first = fault_of(soap, lambda: soap.insert("NF"))
    second = fault_of(soap, lambda: soap.insert("NF"))
    assert first["ErrorID"] == 0
    assert first["AltinnErrorMessage"].startswith("Your request suffered from a non-functional error.")
    assert f"[{first['ErrorGuid']}]" in first["AltinnErrorMessage"]
    assert first["ErrorGuid"] != second["ErrorGuid"]  # a fresh one every time
    assert f"[{second['ErrorGuid']}]" in second["AltinnErrorMessage"]


def test_a_preset_with_its_id_or_message_overridden(admin, soap):
    admin.add_fault({"type": "altinn_fault", "preset": "wrong-password", "error_id": 5}, operation="Test")
    admin.add_fault({"type": "altinn_fault", "preset": "no-receipt", "message": "Egen tekst"},
                    operation="SendStandaloneNotification")
    first = fault_of(soap, lambda: soap.test(), service="notification")
    assert (first["ErrorID"], first["AltinnErrorMessage"]) == (5, PRESETS["wrong-password"][1])
    second = fault_of(soap, lambda: soap.notify(), service="notification")
    assert (second["ErrorID"], second["AltinnErrorMessage"]) == (30008, "Egen tekst")


def test_altinn_fault_after_the_call_took_effect(admin, soap):
    """The idempotent-retry case: the client hears of a failure, but the message was stored and notified."""
    admin.add_fault({"type": "altinn_fault", "preset": "non-functional"}, when="after",
                    operation="InsertCorrespondence")
    assert fault_of(soap, lambda: soap.insert("AFTER-1"))["ErrorID"] == 0
    (stored,) = admin.state("correspondences")
    assert stored["senders_reference"] == "AFTER-1"
    assert len(admin.state("receipts")) == 1 and len(admin.outbox()) == 4
    soap.insert("AFTER-1")  # the retry goes through: one-shot rule spent
    assert len(admin.state("correspondences")) == 2


def test_altinn_fault_after_a_standalone_notification(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 0}, when="after")
    assert fault_of(soap, lambda: soap.notify(), service="notification")["ErrorID"] == 0
    assert [m["channel"] for m in admin.outbox()] == ["Email", "SMS"]


# -- receipt_status ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["Rejected", "UnExpectedError", "ValidationFailed"])
def test_receipt_status_rewrites_the_insert_receipt_in_the_answer_and_the_store(admin, soap, status):
    admin.add_fault({"type": "receipt_status", "status": status, "text": "Avvist av mottakssystemet"},
                    operation="InsertCorrespondence")
    receipt = soap.insert("RS-1")
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText) == (status, "Avvist av mottakssystemet")
    history = receipt.ReceiptHistory.splitlines()
    assert history == [f"Mar  2 2026 10:00AM - {status} - Avvist av mottakssystemet",
                       "Mar  2 2026 10:00AM - OK - Correspondence Saved Successfully"]
    (stored,) = admin.state("receipts")
    assert (stored["id"], stored["status"], stored["text"]) == (receipt.ReceiptId, status,
                                                                "Avvist av mottakssystemet")
    fetched = soap.get_receipt(receipt.ReceiptId)
    assert (fetched.ReceiptStatus, fetched.ReceiptText) == (status, "Avvist av mottakssystemet")
    assert len(admin.state("correspondences")) == 1  # the call itself took effect
    assert soap.insert("RS-2").ReceiptStatusCode == "OK"  # one-shot


def test_receipt_status_without_a_text_keeps_the_text(admin, soap):
    admin.add_fault({"type": "receipt_status", "status": "Rejected"})
    receipt = soap.insert("RS-3", binding="ws")
    assert (receipt.ReceiptStatusCode, receipt.ReceiptText) == ("Rejected", "Correspondence Saved Successfully")
    assert admin.state("receipts")[0]["status"] == "Rejected"


def test_receipt_status_on_a_call_without_a_receipt_changes_nothing(admin, soap):
    admin.add_fault({"type": "receipt_status", "status": "Rejected"}, operation="SendStandaloneNotification")
    result = soap.notify()
    assert [e.TransportType for e in result[0].EndPoints.EndPointResult] == ["Email", "SMS"]
    assert admin.state("receipts") == []


# -- http_status -------------------------------------------------------------------------------------------


def test_http_503_with_no_body(admin, soap, base_url):
    rule = admin.add_fault({"type": "http_status", "status": 503}, times=2)
    with pytest.raises(zeep.exceptions.TransportError) as caught:
        soap.insert("HTTP-1")
    assert caught.value.status_code == 503 and not caught.value.content
    response = requests.post(base_url + path_of("notification"), data=envelope11(TEST_BODY),
                             headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'}, timeout=5)
    assert (response.status_code, response.content, response.headers["Content-Length"]) == (503, b"", "0")
    assert "Content-Type" not in response.headers
    assert nothing_stored(admin)
    entries = admin.journal()
    assert [(e["status"], e["outcome"], e["fault_rule"], e["response"], e["error_id"]) for e in entries] == [
        (503, "fault", rule["id"], "", None)] * 2


@pytest.mark.parametrize("status,reason", [(429, "Too Many Requests"), (502, "Bad Gateway"), (200, "OK"),
                                           (599, "Unknown")])
def test_other_http_statuses(admin, base_url, status, reason):
    admin.add_fault({"type": "http_status", "status": status})
    response = requests.post(base_url + path_of("notification"), data=envelope11(TEST_BODY),
                             headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'}, timeout=5)
    assert (response.status_code, response.reason, response.content) == (status, reason, b"")


# -- drop_connection ---------------------------------------------------------------------------------------


def test_drop_connection_before_the_call(admin, soap):
    rule = admin.add_fault({"type": "drop_connection"}, operation="InsertCorrespondence")
    with pytest.raises(requests.exceptions.ConnectionError):
        soap.insert("DROP-1")
    entry = wait_for(lambda: admin.journal())[0]
    assert (entry["status"], entry["fault_rule"], entry["response"]) == (0, rule["id"], "")
    assert nothing_stored(admin)
    assert soap.insert("DROP-1").ReceiptStatusCode == "OK"  # the server carries on


def test_drop_connection_after_the_call_took_effect(admin, soap):
    admin.add_fault({"type": "drop_connection"}, when="after", operation="InsertCorrespondence")
    with pytest.raises(requests.exceptions.ConnectionError):
        soap.insert("DROP-2")
    (stored,) = admin.state("correspondences")
    assert stored["senders_reference"] == "DROP-2"
    assert admin.state("receipts")[0]["status"] == "OK"
    assert len(admin.outbox()) == 4
    assert wait_for(lambda: admin.journal())[0]["status"] == 0


def test_a_dropped_connection_is_not_an_ok_outcome(admin, soap):
    admin.add_fault({"type": "drop_connection"})
    with pytest.raises(requests.exceptions.ConnectionError):
        soap.notify()
    entry = wait_for(lambda: admin.journal())[0]
    assert entry["outcome"] != "ok"


# -- malformed_response ------------------------------------------------------------------------------------


def test_malformed_response_before_the_call(admin, soap):
    admin.add_fault({"type": "malformed_response"})
    with pytest.raises(zeep.exceptions.TransportError) as caught:
        soap.insert("BAD-1")
    assert "invalid XML" in str(caught.value)
    assert nothing_stored(admin)


@pytest.mark.parametrize("binding,envelope", [("basic", "http://schemas.xmlsoap.org/soap/envelope/"),
                                              ("ws", "http://www.w3.org/2003/05/soap-envelope")])
def test_malformed_response_after_the_call_took_effect(admin, soap, binding, envelope):
    admin.add_fault({"type": "malformed_response"}, when="after")
    with pytest.raises(zeep.exceptions.TransportError):
        soap.insert("BAD-2", binding=binding)
    assert [c["senders_reference"] for c in admin.state("correspondences")] == ["BAD-2"]
    (entry,) = admin.journal()
    assert entry["status"] == 200
    assert entry["response"].startswith(f'<s:Envelope xmlns:s="{envelope}">')
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(entry["response"].encode())


def test_malformed_response_is_a_200_that_no_parser_reads(admin, base_url):
    admin.add_fault({"type": "malformed_response"})
    response = requests.post(base_url + path_of("notification"), data=envelope11(TEST_BODY),
                             headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'}, timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<TestResponse" in response.content
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)


# -- delay -------------------------------------------------------------------------------------------------


def test_delay(admin, soap):
    admin.add_fault({"type": "delay", "ms": 150}, operation="SendStandaloneNotification")
    started = time.monotonic()
    result = soap.notify()
    assert time.monotonic() - started >= 0.15
    assert result[0].ReporteeNumber == OLA  # the call itself goes through
    (entry,) = admin.journal()
    assert entry["duration_ms"] >= 150 and entry["outcome"] == "ok"
    assert entry["fault_rule"] is None  # a delay does not answer for the call
    started = time.monotonic()
    soap.notify()
    assert time.monotonic() - started < 0.15  # one-shot


def test_a_delayed_call_does_not_hold_up_other_calls(admin, base_url):
    """The delayed call has written its rule's counts before it waits; others must not wait with it."""
    admin.add_fault({"type": "delay", "ms": 3000}, operation="SendStandaloneNotification")
    delayed = threading.Thread(target=lambda: Soap(base_url).notify())
    started = time.monotonic()
    delayed.start()
    try:
        assert wait_for(lambda: admin.rules()[0]["seen"] == 1, timeout=5)  # the delayed call is waiting
        Soap(base_url).insert("WHILE-DELAYED")  # a write of its own, on another connection
        assert time.monotonic() - started < 2.0  # well before the delay is over
    finally:
        delayed.join(10)
    assert [e["operation"] for e in admin.journal()] == ["InsertCorrespondenceBasicV2", "SendStandaloneNotificationBasicV3"]


# -- when=before leaves the state untouched ----------------------------------------------------------------

BEFORE_ACTIONS = [
    ({"type": "altinn_fault", "preset": "non-functional"}, zeep.exceptions.Fault),
    ({"type": "http_status", "status": 503}, zeep.exceptions.TransportError),
    ({"type": "drop_connection"}, requests.exceptions.ConnectionError),
    ({"type": "malformed_response"}, zeep.exceptions.TransportError),
]


@pytest.mark.parametrize("action,raised", BEFORE_ACTIONS, ids=[a["type"] for a, _ in BEFORE_ACTIONS])
def test_a_failure_before_the_call_leaves_no_trace_in_the_state(admin, soap, action, raised):
    admin.add_fault(action, times=None)
    with pytest.raises(raised):
        soap.insert("BEFORE")
    with pytest.raises(raised):
        soap.notify(notification(), notification(KARI, transport="Email"))
    with pytest.raises(raised):
        soap.insert("BEFORE", binding="aec2")
    assert nothing_stored(admin)
    assert admin.state("sdp") == []
    assert wait_for(lambda: len(admin.journal()) == 3)


AFTER_ACTIONS = BEFORE_ACTIONS[:1] + BEFORE_ACTIONS[2:]


@pytest.mark.parametrize("action,raised", AFTER_ACTIONS, ids=[a["type"] for a, _ in AFTER_ACTIONS])
def test_a_failure_after_the_call_leaves_its_effect(admin, soap, action, raised):
    admin.add_fault(action, times=None, when="after")
    with pytest.raises(raised):
        soap.insert("AFTER")
    with pytest.raises(raised):
        soap.notify(notification(KARI, transport="Email"))
    state = admin.get("/state")
    assert (state["correspondences"], state["receipts"], state["outbox"]) == (1, 1, 5)


# -- matching ----------------------------------------------------------------------------------------------


def test_matching_on_the_wire_name_hits_that_operation_only(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, operation="InsertCorrespondenceBasicV2")
    assert error_id(soap, lambda: soap.insert("W-1"), "correspondence") == 4711
    assert error_id(soap, lambda: soap.insert("W-2", version=3), "correspondence") is None
    assert error_id(soap, lambda: soap.insert("W-3", binding="ws"), "correspondence", "ws") is None
    assert error_id(soap, lambda: soap.test("correspondence"), "correspondence") is None


@pytest.mark.parametrize("name", ["InsertCorrespondence", "insertcorrespondence", "INSERTCORRESPONDENCE"])
def test_matching_on_the_base_name_hits_every_version_and_binding(admin, soap, name):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, operation=name)
    for binding in ("basic", "ws", "ec2", "aec2"):
        assert error_id(soap, lambda: soap.insert("B-1", binding=binding), "correspondence", binding) == 4711
    assert error_id(soap, lambda: soap.insert("B-2", version=3), "correspondence") == 4711
    assert error_id(soap, lambda: soap.test("correspondence"), "correspondence") is None
    assert error_id(soap, lambda: soap.status(), "correspondence") is None


def test_matching_on_the_wire_name_is_case_insensitive(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, operation="sendstandalonenotificationv3")
    assert error_id(soap, lambda: soap.notify()) is None  # basic: SendStandaloneNotificationBasicV3
    assert error_id(soap, lambda: soap.notify(binding="ws"), binding="ws") == 4711


def test_matching_on_the_binding(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, binding="WS")
    assert error_id(soap, lambda: soap.test("receipt", "ws"), "receipt", "ws") == 4711
    assert error_id(soap, lambda: soap.notify(binding="ws"), binding="ws") == 4711
    assert error_id(soap, lambda: soap.test("receipt", "basic"), "receipt") is None
    assert error_id(soap, lambda: soap.test("receipt", "ec2"), "receipt", "ec2") is None


@pytest.mark.parametrize("caller,faulted", [
    ("ett-system", {"ett"}),
    ("ETT", {"ett"}),
    ("ttd-system", {"ttd"}),
    ("TTD", {"ttd", "aec2"}),  # the owner code covers its systems and its certificate
    ("ttd", set()),  # callers are matched exactly
])
def test_matching_on_the_caller(admin, soap, caller, faulted):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, caller=caller)
    calls = {
        "ttd": lambda: error_id(soap, lambda: soap.notify()),
        "ett": lambda: error_id(soap, lambda: soap.notify(notification(KARI, transport="Email"),
                                                          username="ett-system")),
        "aec2": lambda: error_id(soap, lambda: soap.insert("C-1", binding="aec2"), "correspondence", "aec2"),
        "anonymous": lambda: error_id(soap, lambda: soap.test()),
    }
    assert {name for name, call in calls.items() if call() == 4711} == faulted


def test_matching_on_the_reportee(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, reportee=KARI)
    assert error_id(soap, lambda: soap.notify(notification(OLA))) is None
    assert error_id(soap, lambda: soap.notify(notification(KARI, transport="Email"))) == 4711
    assert error_id(soap, lambda: soap.notify(notification(OLA), notification(KARI, transport="Email"))) == 4711
    assert error_id(soap, lambda: soap.insert("R-1", reportee=KARI, transport="Email"), "correspondence") == 4711
    assert error_id(soap, lambda: soap.insert("R-2"), "correspondence") is None
    assert [m["reportee"] for m in admin.outbox()] == [OLA, OLA, OLA, OLA, OLA, OLA]


def test_every_match_field_must_hold(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, operation="SendStandaloneNotification",
                    binding="basic", caller="TTD", reportee=KARI)
    assert error_id(soap, lambda: soap.notify(notification(KARI, transport="Email"))) == 4711
    assert error_id(soap, lambda: soap.notify(notification(KARI, transport="Email"), binding="ws"), binding="ws") \
        is None
    assert error_id(soap, lambda: soap.notify(notification(KARI, transport="Email"), username="ett-system")) is None
    assert error_id(soap, lambda: soap.notify(notification(OLA))) is None
    assert error_id(soap, lambda: soap.insert("E-1", reportee=KARI, transport="Email"), "correspondence") is None


def test_a_rule_without_match_fields_hits_every_call(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None)
    assert error_id(soap, lambda: soap.test()) == 4711
    assert error_id(soap, lambda: soap.test("receipt", "ec2"), "receipt", "ec2") == 4711
    assert error_id(soap, lambda: soap.insert("ALL", binding="aec2"), "correspondence", "aec2") == 4711


def test_rules_do_not_touch_wsdl_downloads_or_the_admin_api(admin, base_url):
    admin.add_fault({"type": "http_status", "status": 503}, times=None)
    assert requests.get(base_url + path_of("notification") + "?wsdl", timeout=5).status_code == 200
    assert admin.get("/health")["status"] == "ok"
    assert admin.rules()[0]["seen"] == 0


# -- nth and times -----------------------------------------------------------------------------------------


def test_nth_fires_on_exactly_the_nth_matching_call(admin, soap):
    rule = admin.add_fault({"type": "altinn_fault", "error_id": 4711}, operation="Test", nth=3)
    outcomes = []
    for _ in range(5):
        outcomes.append(error_id(soap, lambda: soap.test()))
        soap.notify()  # does not match, does not count
    assert outcomes == [None, None, 4711, None, None]
    (listed,) = admin.rules()
    assert (listed["id"], listed["seen"], listed["fired"]) == (rule["id"], 3, 1)  # spent: no longer counting


def test_a_sticky_nth_rule_still_fires_once(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, nth=2)
    assert [error_id(soap, lambda: soap.test()) for _ in range(4)] == [None, 4711, None, None]
    (listed,) = admin.rules()
    assert (listed["seen"], listed["fired"], listed["times"]) == (4, 1, None)


@pytest.mark.parametrize("times,expected", [(1, [4711, None, None, None]), (2, [4711, 4711, None, None]),
                                            (None, [4711, 4711, 4711, 4711])])
def test_times(admin, soap, times, expected):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=times)
    assert [error_id(soap, lambda: soap.test()) for _ in range(4)] == expected
    (listed,) = admin.rules()
    fired = expected.count(4711)
    assert (listed["fired"], listed["seen"], listed["times"]) == (fired, fired, times)


def test_times_defaults_to_one_shot(admin, soap):
    admin.post("/faults", 201, json={"action": {"type": "altinn_fault", "error_id": 4711}})
    assert [error_id(soap, lambda: soap.test()) for _ in range(2)] == [4711, None]


def test_listing_counts_seen_and_fired(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None, operation="Test", nth=2)
    admin.add_fault({"type": "delay", "ms": 1}, times=None, binding="ws")
    admin.add_fault({"type": "altinn_fault", "error_id": 4712}, reportee=KARI)
    soap.test()
    error_id(soap, lambda: soap.test())
    soap.test("notification", "ws")
    soap.notify()
    assert [(r["seen"], r["fired"]) for r in admin.rules()] == [(3, 1), (1, 1), (0, 0)]


# -- several rules -----------------------------------------------------------------------------------------


def test_delays_add_up_and_the_fault_still_answers(admin, soap):
    admin.add_fault({"type": "delay", "ms": 100})
    admin.add_fault({"type": "altinn_fault", "error_id": 4711})
    admin.add_fault({"type": "delay", "ms": 150})
    started = time.monotonic()
    assert error_id(soap, lambda: soap.test()) == 4711
    assert time.monotonic() - started >= 0.25
    assert [r["fired"] for r in admin.rules()] == [1, 1, 1]


def test_the_oldest_decisive_rule_wins(admin, soap):
    first = admin.add_fault({"type": "altinn_fault", "error_id": 1111}, times=None)
    admin.add_fault({"type": "http_status", "status": 503}, times=None)
    admin.add_fault({"type": "altinn_fault", "error_id": 2222}, times=None)
    assert error_id(soap, lambda: soap.test()) == 1111
    assert admin.journal()[-1]["fault_rule"] == first["id"]
    admin.delete(f"/faults/{first['id']}")
    with pytest.raises(zeep.exceptions.TransportError):
        soap.test()
    admin.delete("/faults/2")
    assert error_id(soap, lambda: soap.test()) == 2222
    admin.delete("/faults")
    assert error_id(soap, lambda: soap.test()) is None


def test_a_before_rule_outranks_a_younger_receipt_rule(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None)
    admin.add_fault({"type": "receipt_status", "status": "Rejected"}, times=None)
    assert error_id(soap, lambda: soap.insert("X"), "correspondence") == 4711
    assert nothing_stored(admin)


def test_an_older_receipt_rule_outranks_a_younger_fault(admin, soap):
    admin.add_fault({"type": "receipt_status", "status": "Rejected"})
    admin.add_fault({"type": "altinn_fault", "error_id": 4711})
    assert soap.insert("Y").ReceiptStatusCode == "Rejected"


def test_an_outranked_one_shot_rule_waits_for_the_next_call(admin, soap):
    admin.add_fault({"type": "altinn_fault", "error_id": 1111})
    admin.add_fault({"type": "altinn_fault", "error_id": 2222})
    assert error_id(soap, lambda: soap.test()) == 1111
    assert error_id(soap, lambda: soap.test()) == 2222


def test_deleted_rules_stop_firing(admin, soap):
    keep = admin.add_fault({"type": "altinn_fault", "error_id": 1}, times=None, operation="Test")
    gone = admin.add_fault({"type": "altinn_fault", "error_id": 2}, times=None,
                           operation="SendStandaloneNotification")
    assert admin.delete(f"/faults/{gone['id']}") == {"deleted": gone["id"]}
    assert error_id(soap, lambda: soap.notify()) is None
    assert error_id(soap, lambda: soap.test()) == 1
    assert [r["id"] for r in admin.rules()] == [keep["id"]]
    assert admin.delete("/faults") == {"deleted": 1}
    assert error_id(soap, lambda: soap.test()) is None


def test_rules_survive_reset_and_restore(admin, soap):
    snapshot = admin.post("/snapshots", 201)["id"]
    admin.add_fault({"type": "altinn_fault", "error_id": 4711}, times=None)
    admin.post("/reset")
    admin.post(f"/snapshots/{snapshot}/restore")
    assert error_id(soap, lambda: soap.test()) == 4711


def test_guids_differ_between_rule_and_non_rule_faults(admin, soap):
    admin.add_fault({"type": "altinn_fault", "preset": "non-functional"})
    first = fault_of(soap, lambda: soap.notify(), service="notification")
    real = fault_of(soap, lambda: soap.notify(password="wrong"), service="notification")
    assert uuid.UUID(first["ErrorGuid"]) != uuid.UUID(real["ErrorGuid"])
    assert real["ErrorID"] == 989


# -- rules are consulted before the login ------------------------------------------------------------------


def test_a_rule_answers_even_a_call_whose_login_would_fail(admin, soap):
    """Infrastructure failures come before Altinn checks anything: the rule answers, not the password check."""
    admin.add_fault({"type": "http_status", "status": 503}, caller="ttd-system")
    with pytest.raises(Exception):
        soap.notify(notification(transport="Email"), password="wrong")
    (entry,) = admin.journal()
    assert (entry["status"], entry["caller"], entry["outcome"]) == (503, "ttd-system", "fault")
    assert admin.rules()[0]["fired"] == 1


def test_a_receipt_rule_ignores_calls_that_return_no_receipt(admin, soap):
    rule = admin.add_fault({"type": "receipt_status", "status": "Rejected"})  # no match: every call
    soap.notify(notification(transport="Email"))  # returns a notification result, not a receipt
    assert admin.rules()[0]["seen"] == 0 and admin.rules()[0]["fired"] == 0
    receipt = soap.insert("RR-1")
    assert receipt.ReceiptStatusCode == "Rejected" and rule["id"] == admin.rules()[0]["id"]
