"""Every value of a request swapped, one at a time, for one a client might send by mistake or on purpose.

The answer is always the operation's reply or a SOAP fault naming the problem: never the catch-all
"non-functional error" a Python exception becomes, never a logged traceback. (A fuzzing run over every
operation the test suite calls found the cases named below; this keeps a net under the representative ones.)
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from altinn_so.admin.page import Page
from altinn_so.soap.namespaces import SOAP11_ENV
from altinn_so.soap.wsgi import SoapApplication
from support.mutations import variants

BENCH_REQUESTS = Path(__file__).resolve().parents[2] / "bench" / "requests"
CORRESPONDENCE = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc"
CORRESPONDENCE_NS = "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10"
RECEIPT_NS = "http://www.altinn.no/services/Intermediary/Receipt/2009/10"

GET_RECEIPT_LIST = (
    f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><GetReceiptListBasicV2 xmlns="{RECEIPT_NS}">'
    "<systemUserName>ttd-system</systemUserName><systemPassword>ttd-password</systemPassword>"
    "<receiptTypeName>Correspondence</receiptTypeName><dateFrom>2026-03-01T00:00:00</dateFrom>"
    "<dateTo>2026-03-03T00:00:00</dateTo></GetReceiptListBasicV2></s:Body></s:Envelope>")

# (path, action, request)
REQUESTS = {
    "InsertCorrespondenceBasicV2": (CORRESPONDENCE, f"{CORRESPONDENCE_NS}/ICorrespondenceAgencyExternalBasic/"
                                                    "InsertCorrespondenceBasicV2", "InsertCorrespondenceBasicV2.xml"),
    "SendStandaloneNotificationBasicV3": (
        "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/Notification/2010/10/INotificationAgencyExternalBasic/"
        "SendStandaloneNotificationBasicV3", "SendStandaloneNotificationBasicV3.xml"),
    "GetCorrespondenceStatusDetailsBasicV3": (
        CORRESPONDENCE, f"{CORRESPONDENCE_NS}/ICorrespondenceAgencyExternalBasic/GetCorrespondenceStatusDetailsBasicV3",
        "GetCorrespondenceStatusDetailsBasicV3.xml.template"),
    "GetReceiptListBasicV2": ("/IntermediaryExternal/ReceiptAgencyExternalBasic.svc",
                              f"{RECEIPT_NS}/IReceiptAgencyExternalBasic/GetReceiptListBasicV2", None),
}

CREDENTIALS = frozenset({"systemUserName", "systemPassword"})  # (wrong ones lock the system out: see the login tests)


def request_body(operation: str) -> bytes:
    _, _, name = REQUESTS[operation]
    if name is None:
        return GET_RECEIPT_LIST.encode()
    path = BENCH_REQUESTS / name
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    return path.read_bytes().replace(b"{after}", b"2026-03-01T00:00:00").replace(b"{before}", b"2026-03-03T00:00:00")


def post(app: SoapApplication, path: str, action: str, body: bytes) -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_TYPE": "text/xml; charset=utf-8",
               "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": f'"{action}"', "wsgi.input": io.BytesIO(body),
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    statuses = []
    reply = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], reply


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_every_value_swapped_gets_a_reply_or_a_named_fault(soap_app, operation, caplog):
    path, action, _ = REQUESTS[operation]
    body = request_body(operation)
    status, reply = post(soap_app, path, action, body)
    assert status.startswith("200"), reply  # the request as it is works
    problems = []
    for change, changed in variants(body, skip=CREDENTIALS):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="altinn_so"):
            status, reply = post(soap_app, path, action, changed)
        envelope = etree.fromstring(reply)
        body_element = envelope.find(f"{{{SOAP11_ENV}}}Body")[0]
        fault = body_element.tag == f"{{{SOAP11_ENV}}}Fault"
        if caplog.records or status.startswith("200") == fault or b"non-functional error" in reply:
            problems.append(f"{change}: {status} {reply[:300]!r} {[r.getMessage() for r in caplog.records]}")
    assert not problems, "\n".join(problems[:10])


def test_times_at_the_calendar_s_end_are_stored_listed_and_shown(soap_app, emulator):
    """.NET's DateTime.MaxValue in UTC is an hour past the calendar in Oslo time, where times are shown."""
    path, action, _ = REQUESTS["InsertCorrespondenceBasicV2"]
    notification_ns = "http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10"
    body = request_body("InsertCorrespondenceBasicV2").replace(
        b"<ns7:LanguageCode>", b"<ns7:ShipmentDateTime>9999-12-31T23:59:59.9999999Z</ns7:ShipmentDateTime>"
                               b"<ns7:LanguageCode>").replace(b">TokenTextOnly<", b">VarselDPVMedRevarsel<")
    assert f'xmlns:ns7="{notification_ns}"'.encode() in body
    status, reply = post(soap_app, path, action, body)
    assert status.startswith("200"), reply
    messages = emulator.outbox.list_messages()
    assert {message.is_reminder for message in messages} == {False, True}
    first, = {message.scheduled_at for message in messages if not message.is_reminder}
    assert first == datetime.max.replace(tzinfo=timezone.utc)
    assert all(message.scheduled_at >= first for message in messages)  # reminders wait at the end too
    path, action, _ = REQUESTS["GetCorrespondenceStatusDetailsBasicV3"]
    status, reply = post(soap_app, path, action, request_body("GetCorrespondenceStatusDetailsBasicV3"))
    assert status.startswith("200") and reply.count(b"<c:SentDate i:nil=\"true\"/>") == len(messages), reply
    page = Page(soap_app.routes).render(emulator, {"QUERY_STRING": ""})  # the outbox, in Norwegian time
    assert page.count("9999-12-31 23:59:59") == len(messages)
