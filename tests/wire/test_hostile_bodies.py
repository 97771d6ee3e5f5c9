"""Bodies small in bytes and huge as a tree (issue 19): refused before any tree is built, with a Client fault
naming the limit, and with the process's memory measured: four at once raise the peak resident set by at
most 150 MB, and leave at most 50 MB behind (bench/hostile_bodies.py does the same at 9 MB a body)."""

from __future__ import annotations

import io
import threading

import pytest
import zeep

from altinn_so.app import EmulatorApp
from altinn_so.soap import plainstream
from altinn_so.xmllimits import XmlLimits
from support.bombs import BOMBS, planted
from support.soap import OLA
from wire.test_http_edges import BASIC, BASIC_ACTION, envelope11, send_v2
from wire.test_mtom import PLAIN, app_of, fault_of, post
from wire.test_plain_streamed import STORE, TEXT_XML, store_request
from wire.test_plain_streamed import emulator as files_emulator  # noqa: F401 (a fixture)

SIZE = 3 * 1024 * 1024  # each bomb; the bench uses 9 MB
MiB = 1024 * 1024
LIMIT_NAMED = {"attributes": "attributes_per_element", "elements": "elements",
               "namespaces": "namespaces_per_element"}


def _kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _call(app, body: bytes) -> tuple[int, bytes]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": BASIC, "CONTENT_TYPE": "text/xml; charset=utf-8",
               "HTTP_SOAPACTION": BASIC_ACTION, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    statuses = []
    reply = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0]), reply


def hostile(kind: str, size: int = SIZE) -> bytes:
    return planted(envelope11(send_v2()), BOMBS[kind](size))


@pytest.mark.parametrize("kind", sorted(LIMIT_NAMED))
def test_a_bomb_is_a_client_fault_naming_its_limit(emulator, kind):
    status, reply = _call(EmulatorApp(emulator), hostile(kind))
    assert status == 400
    assert b"<faultcode>s:Client</faultcode>" in reply
    assert f"over the emulator's limit ({LIMIT_NAMED[kind]})".encode() in reply.replace(b"&apos;", b"'")


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_four_concurrent_bombs_keep_memory(emulator, kind):
    app = EmulatorApp(emulator)
    bodies = [hostile(kind) for _ in range(4)]
    _call(app, envelope11(send_v2()))  # (the first call's one-off costs, before the measurement)
    before = _kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak (VmHWM) starts again from here
    statuses = []
    threads = [threading.Thread(target=lambda body=body: statuses.append(_call(app, body)[0])) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    peak, after = _kib("VmHWM") - before, _kib("VmRSS") - before
    assert statuses == ([400] * 4 if kind in LIMIT_NAMED else [200] * 4)
    assert peak * 1024 <= 150 * MiB, f"the peak grew {peak // 1024} MiB"
    assert after * 1024 <= 50 * MiB, f"{after // 1024} MiB stayed after the calls"


def test_a_huge_text_in_mixed_content_of_a_streamed_body_is_refused(files_emulator, monkeypatch):  # noqa: F811
    monkeypatch.setattr(plainstream, "DEFAULT_LIMITS", XmlLimits(text_chars=1000))
    body = store_request("QUJD").replace(b"<name>", b"<name>report.pdf</name>" + b" " * (2 * MiB) + b"<name>", 1)
    answer = post(app_of(files_emulator), PLAIN, body, TEXT_XML, STORE)
    assert answer.status == 400
    assert "text_chars" in fault_of(answer)["AltinnErrorMessage"]


def test_a_correspondence_with_200_attachments_passes(base_url):
    client = zeep.Client(base_url + "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc?wsdl")
    attachments = [{"FunctionType": "Unspecified", "FileName": f"vedlegg-{i}.pdf", "Name": f"Vedlegg {i}",
                    "Encrypted": False, "Data": b"%PDF-1.4 " + str(i).encode()} for i in range(200)]
    correspondence = {
        "ServiceCode": "5678", "ServiceEdition": "1", "Reportee": OLA,
        "Content": {"LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Du har fått vedtak",
                    "MessageBody": "<p>Hei</p>",
                    "Attachments": {"BinaryAttachments": {"BinaryAttachmentV2": attachments}}},
        "Notifications": {"Notification": [
            {"LanguageCode": "1044", "NotificationType": "VarselDPVMedRevarsel",
             "TextTokens": {"TextToken": [{"TokenValue": "Testdepartementet"}]},
             "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Both"}]}}]},
    }
    receipt = client.service.InsertCorrespondenceBasicV2(
        systemUserName="ttd-system", systemPassword="ttd-password", SystemUserCode="TTD_WIRE",
        ExternalShipmentReference="REF-200", Correspondence=correspondence)
    assert receipt.ReceiptStatusCode == "OK", receipt


def test_four_bodies_just_under_the_limits_are_answered_and_their_memory_given_back(emulator):
    """A body the limits let through can still be a tree of tens of megabytes: once the calls end, that memory
    goes back to the system (glibc would keep it in its arenas)."""
    app = EmulatorApp(emulator)
    under = b"<x>" + b"<y a=''/>" * 49_000 + b"<y/>" * 49_000 + b"</x>"
    body = planted(envelope11(send_v2()), under)
    _call(app, envelope11(send_v2()))
    before = _kib("VmRSS")
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(_call(app, body)[0])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = _kib("VmRSS") - before
    assert statuses == [200] * 4
    assert after * 1024 <= 50 * MiB, f"{after // 1024} MiB stayed after the calls"


@pytest.mark.parametrize("inner, limit", [
    (b"<x>" * 300 + b"</x>" * 300, "depth"),
    (b"<x>" + b"a" * 10_000_001 + b"</x>", "text_chars"),
    (b"<x a='" + b"v" * 10_000_001 + b"'/>", "text_chars"),
], ids=["depth", "text", "attribute value"])
def test_the_parser_s_own_limits_are_named_as_ours(emulator, inner, limit):
    status, reply = _call(EmulatorApp(emulator), planted(envelope11(send_v2()), inner))
    assert status == 400 and b"<faultcode>s:Client</faultcode>" in reply
    assert f"over the emulator's limit ({limit})".encode() in reply.replace(b"&apos;", b"'")
    assert b"XML_PARSE_HUGE" not in reply  # (libxml2's advice is for whoever runs the parser, not the client)
