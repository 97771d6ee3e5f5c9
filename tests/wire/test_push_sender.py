"""Calling a receiver (altinn_so.services.push.sender): how each kind of answer is read, and what an attempt keeps
of the request. The receiver of tests/support/push_receiver.py answers the scripted kinds over HTTP; the odd
answers no real receiver would script are read directly."""

from __future__ import annotations

import socket

import pytest

from altinn_so.domain.catalog import PushReceiver
from altinn_so.services.push.rules import FAILED, FAULT, OK, UNREACHABLE
from altinn_so.services.push.sender import _read_reply, call_receiver

from support.push_receiver import PushReceiver as LocalReceiver

ENVELOPE = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{}</s:Body></s:Envelope>')
RESPONSE = ('<ReceiveOnlineBatchExternalAttachmentResponse xmlns="http://AltInn.no/webservices/">'
            '<ReceiveOnlineBatchExternalAttachmentResult>{}</ReceiveOnlineBatchExternalAttachmentResult>'
            '</ReceiveOnlineBatchExternalAttachmentResponse>')


def _reply(result: str, status: int = 200):
    return _read_reply(status, "text/xml", ENVELOPE.format(RESPONSE.format(result)).encode(), "<request/>")


@pytest.mark.parametrize("code", ["OK", "FAILED", "FAILED_DO_NOT_RETRY"])
def test_each_result_code_is_its_outcome_with_the_free_text(code):
    reply = _reply(f'&lt;OnlineBatchReceipt&gt;&lt;Result resultCode="{code}"&gt; lagret &lt;/Result&gt;'
                   "&lt;/OnlineBatchReceipt&gt;")
    assert (reply.outcome, reply.text, reply.http_status) == (code, "lagret", 200)


@pytest.mark.parametrize("result, says", [
    ("", "has no ReceiveOnlineBatchExternalAttachmentResult"),
    ("not xml", "not an OnlineBatchReceipt document"),
    ("&lt;Receipt&gt;&lt;Result resultCode='OK'/&gt;&lt;/Receipt&gt;", "resultCode"),
    ("&lt;OnlineBatchReceipt&gt;&lt;Result resultCode='MAYBE'/&gt;&lt;/OnlineBatchReceipt&gt;", "resultCode"),
    ("&lt;!DOCTYPE x [&lt;!ENTITY e 'OK'&gt;]&gt;&lt;OnlineBatchReceipt&gt;&lt;Result resultCode='&amp;e;'/&gt;"
     "&lt;/OnlineBatchReceipt&gt;", "with a DTD"),
])
def test_a_result_that_cannot_be_read_counts_as_failed(result, says):
    reply = _reply(result)
    assert reply.outcome == FAILED and says in reply.text


def test_a_200_that_is_not_xml_counts_as_failed():
    assert _read_reply(200, "text/html", b"<html><body>Welcome", "").outcome == FAILED


def test_a_soap_12_fault_is_a_fault_with_its_reason():
    fault = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>'
             'e:Receiver</e:Value></e:Code><e:Reason><e:Text xml:lang="en">database down</e:Text></e:Reason>'
             '</e:Fault></e:Body></e:Envelope>')
    reply = _read_reply(500, "application/soap+xml", fault.encode(), "")
    assert reply.outcome == FAULT and reply.text.endswith("database down")


@pytest.mark.parametrize("status", [404, 500, 502])
def test_an_http_error_without_a_soap_reply_is_the_receiver_being_down(status):
    reply = _read_reply(status, "text/html", b"<html>Bad Gateway</html>", "")
    assert (reply.outcome, reply.http_status) == (UNREACHABLE, status)


def test_a_refused_connection_is_the_receiver_being_down(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    reply = call_receiver(PushReceiver(url=f"http://127.0.0.1:{port}/r.asmx", timeout_seconds=2), _outgoing())
    assert reply.outcome == UNREACHABLE and "could not reach" in reply.text and reply.http_status is None


def test_what_an_attempt_keeps_of_the_request_leaves_the_base64_out():
    with LocalReceiver(require_checksums=False) as receiver:
        reply = call_receiver(PushReceiver(url=receiver.url, attachments="inline"), _outgoing(b"z" * 300_000))
        [call] = receiver.received
    assert reply.outcome == OK
    assert "[300,000 bytes of" in reply.request and "enp6" not in reply.request  # base64 of "zzz"
    assert len(reply.request) < 5000
    assert call.attachments and list(call.attachments.values()) == [b"z" * 300_000]


def _outgoing(data: bytes | None = None):
    """A batch of one small archived task, with one attachment of ``data`` if given."""
    from datetime import datetime, timezone

    from altinn_so.domain.archive import ArchivedForm, ArchivedFormTask
    from altinn_so.domain.elements import ElementAttachment
    from altinn_so.services.push.batch import build_batch
    from altinn_so.services.push.rules import BatchFacts, Outgoing

    now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    attachments = (ElementAttachment(7, "Vedlegg", "v.bin", "application/octet-stream", len(data), now),) \
        if data is not None else ()
    task = ArchivedFormTask("AR1000001", 1, "TTD", "5800", 1, "23917710120", "Person", now,
                            (ArchivedForm(1, "5703", 34301, "Skjema", "<Skjema/>"),), attachments)
    facts = BatchFacts(1, 0, "d2f5b1c0-0000-4000-8000-000000000001", now, ("1000001_guid.bin",) if data else ())
    return Outgoing(facts.receivers_reference, 1, build_batch(task, facts, lambda _: data, inline=True))
