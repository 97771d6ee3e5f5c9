"""CPU per SOAP call, in process (no sockets): the emulator's WSGI application against an lxml floor.

The floor is the least a SOAP server written in Python with lxml does per call: it parses the same
request envelope with lxml, builds the same response with lxml (one element per element, its text)
and serialises it. The subject is the whole call as a client sees it: HTTP edge, envelope, decoding,
login, domain rules, the store (SQLite in memory, as ``serve`` runs by default), the response, the
request journal and the access log (formatted as JSON lines, written to /dev/null).

A second, lower floor is shown too: parsing the request and serialising an already built response
tree (no building). It bounds what no server can go below; the target is set against the first.
"""

from __future__ import annotations

import io
import logging
import os

from lxml import etree

from altinn_so import logs
from common import REQUESTS, Figure, per_call

CALLS = {
    # name: (path, SOAPAction, request file)
    "SendStandaloneNotificationBasicV3": (
        "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/Notification/2010/10/INotificationAgencyExternalBasic/"
        "SendStandaloneNotificationBasicV3"),
    "InsertCorrespondenceBasicV2": (
        "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10/ICorrespondenceAgencyExternalBasic/"
        "InsertCorrespondenceBasicV2"),
    # A form with an XML Schema (validated), saved, instantiated in a worklist and notified on both channels.
    "SubmitAndInstantiatePrefilledFormTaskBasic": (
        "/ServiceEngineExternal/PrefillBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/PreFill/2009/10/IPreFillExternalBasic/"
        "SubmitAndInstantiatePrefilledFormTaskBasic"),
    # One monthly subscription of a form service for an organisation: checked, stored, a receipt with a sub-receipt.
    "SubmitSubscriptionBasic": (
        "/ServiceEngineExternal/SubscriptionBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/Subscription/2009/10/ISubscriptionExternalBasic/"
        "SubmitSubscriptionBasic"),
    # A submitted form task (main form with a schema, a sub-form, a 64 KiB attachment, an approver, shipment
    # metadata) downloaded from the queue: namespaces stripped, the attachment inline, the download logged.
    "GetArchivedFormTaskBasicDQ": (
        "/ArchiveExternal/DownloadQueueExternalBasic.svc",
        "http://www.altinn.no/services/Archive/DownloadQueue/2012/08/IDownloadQueueExternalBasic/"
        "GetArchivedFormTaskBasicDQ"),
    # The same submitted form task read back by its owner (V2): forms as submitted, attachment and signing step lists.
    "GetArchivedFormTaskBasicV2": (
        "/ArchiveExternal/ServiceOwnerArchiveExternalBasic.svc",
        "http://www.altinn.no/services/Archive/ServiceOwnerArchive/2009/10/IServiceOwnerArchiveExternalBasic/"
        "GetArchivedFormTaskBasicV2"),
    # Every rule of a service in the rights register (twenty, for two reportees): the broker's lookup's table.
    "GetRightsBasic": (
        "/RegisterExternal/RegisterSRRAgencyExternalBasic.svc",
        "http://www.altinn.no/services/Register/SRR/2015/06/IRegisterSRRAgencyExternalBasic/GetRightsBasic"),
    # A broker shipment from Testdepartementet to Etaten: the service, both parties' rights, a new reference.
    "InitiateBrokerServiceBasic": (
        "/ServiceEngineExternal/BrokerServiceExternalBasic.svc",
        "http://www.altinn.no/services/ServiceEngine/Broker/2015/06/IBrokerServiceExternalBasic/"
        "InitiateBrokerServiceBasic"),
}


def _archive_one(emulator) -> dict[bytes, bytes]:
    """The form task GetArchivedFormTaskBasicDQ downloads and GetArchivedFormTaskBasicV2 reads (AR1000001):
    prefilled, then submitted as Ola; made once, for whichever of the two is measured first."""
    from datetime import timedelta

    made = emulator.archive.get_archived("AR1000001")
    if made is not None:
        return _element_id_of(made)

    from altinn_so.domain.auth import AuthMode
    from altinn_so.services.prefill.rules import (InstantiateOptions, PrefillAttachmentRequest, PrefillFormRequest,
                                                  PrefillTaskRequest)

    now = emulator.clock.now()
    report = ('<my:Skjema xmlns:my="http://schemas.microsoft.com/office/infopath/2003/myXSD/2026" '
              'skjemanummer="5704"><my:Rapportor><my:Navn>Eksempel AS</my:Navn></my:Rapportor>'
              '<my:Periode>2026-02</my:Periode></my:Skjema>')
    task = PrefillTaskRequest(
        service_code="5680", service_edition=1, shipment_reference="BENCH-DQ", reportee="23917710120",
        system_user_code="TTD_BENCH", valid_from=now - timedelta(minutes=1), valid_to=now + timedelta(days=30),
        forms=[PrefillFormRequest("5705", 34303, report, "sub"),
               PrefillFormRequest("5704", 34302, _REPORT, "main")],
        attachments=[PrefillAttachmentRequest(bytes(range(256)) * 256, "vedlegg.pdf", "application_pdf",
                                              "vedlegg.pdf")])
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    emulator.prefill.submit(caller, "BENCH", task, InstantiateOptions(instantiate=True))
    element = emulator.reportee_elements.list_elements()[-1]
    archived = emulator.worklist.submit(element.id, submitter="23917710120", security_level=3)
    assert archived.archive_reference == "AR1000001", archived.archive_reference
    return _element_id_of(archived)


def _element_id_of(archived) -> dict[bytes, bytes]:
    """GetArchivedFormTaskBasicV2's stored request names ReporteeElementID 1: the task's own element id instead
    (the calls measured before it instantiated elements too)."""
    return {b"<ns0:reporteeElementID>1<": f"<ns0:reporteeElementID>{archived.element_id}<".encode()}


_REPORT = ('<Skjema skjemanummer="5704"><Rapportor><Organisasjonsnummer>310003018</Organisasjonsnummer>'
           '<Navn>Eksempel AS</Navn></Rapportor><Periode>2026-02</Periode><AntallDeltakere>12</AntallDeltakere>'
           '</Skjema>')


def _twenty_rules(emulator) -> None:
    """The rules GetRightsBasic lists: ten conditions of Read and Write for an organisation and a person."""
    from datetime import timedelta

    from altinn_so.domain.auth import AuthMode
    from altinn_so.services.srr.rules import RightRequest

    valid_to = emulator.clock.now() + timedelta(days=365)
    requests = [RightRequest(reportee, right, condition, valid_to) for reportee in ("310003018", "23917710120")
                for right in ("Read", "Write")
                for condition in (None, "sender", "recipient", "KeepSessionAlive:true", "HandledBy:310003018")]
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    results = emulator.srr.add_rights(caller, "4255", 10, requests)
    assert [r.result for r in results] == ["Ok"] * 20, results


def _broker_rights(emulator) -> None:
    """The sender may write and the recipient read on the seed's broker service (rules of the rights register)."""
    from datetime import datetime, timezone

    from altinn_so.domain.auth import AuthMode
    from altinn_so.services.srr.rules import RightRequest

    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    requests = [RightRequest(reportee, right, None, datetime(2030, 1, 1, tzinfo=timezone.utc))
                for reportee, right in (("310001007", "Write"), ("310002003", "Read"))]
    assert [r.result for r in emulator.srr.add_rights(caller, "5690", 1, requests)] == ["Ok", "Ok"]


# State an operation needs before it can be called (made once, through the domain).
SETUP = {"GetArchivedFormTaskBasicDQ": _archive_one, "GetArchivedFormTaskBasicV2": _archive_one,
         "GetRightsBasic": _twenty_rules,
         "InitiateBrokerServiceBasic": _broker_rights}


def make_app(database: str = ":memory:"):
    from altinn_so.app import EmulatorApp
    from altinn_so.emulator import Emulator, Settings

    return EmulatorApp(Emulator(Settings(database=database)))


def caller(app, operation: str):
    """A function making one call of ``operation`` through ``app``; returns the response body."""
    path, action = CALLS[operation]
    body = (REQUESTS / f"{operation}.xml").read_bytes()
    if operation in SETUP:
        # A setup may name what the stored request must say instead (ids the calls measured before it used up).
        for stored, actual in (SETUP[operation](app.emulator) or {}).items():
            body = body.replace(stored, actual)
    base = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": f'"{action}"', "SERVER_NAME": "localhost",
            "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    statuses = []

    def start_response(status, headers):
        statuses.append(status)

    def call() -> bytes:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        statuses.clear()
        out = b"".join(app(environ, start_response))
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{operation} failed: {statuses[0]}\n{out[:2000].decode()}")
        return out

    return body, call


def floors_for(request: bytes, response: bytes):
    """(build floor, serialise-only floor) for one request/response pair."""
    template = etree.fromstring(response)
    # The response as a minimal server makes it: each element under its parent, with its text.
    plan = []
    index = {template: 0}
    for number, element in enumerate(template.iter(), start=0):
        index[element] = number
        parent = element.getparent()
        plan.append((index[parent] if parent is not None else -1, element.tag, element.text,
                     dict(element.attrib), element.nsmap if parent is None or element.nsmap != parent.nsmap
                     else None))

    def build_floor():
        etree.fromstring(request)
        made = []
        for parent, tag, text, attrib, nsmap in plan:
            element = etree.Element(tag, attrib, nsmap) if parent < 0 else \
                etree.SubElement(made[parent], tag, attrib, nsmap)
            element.text = text
            made.append(element)
        return etree.tostring(made[0])

    def serialise_floor():
        etree.fromstring(request)
        return etree.tostring(template)

    return build_floor, serialise_floor


def run(quick: bool = False) -> list[Figure]:
    # The access log as ``serve`` writes it (JSON lines), into /dev/null instead of standard error.
    logs.configure("json", "info")
    devnull = open(os.devnull, "w")  # noqa: SIM115 (open for the whole run)
    logging.getLogger("altinn_so").handlers[0].setStream(devnull)
    figures = []
    app = make_app()
    for operation in CALLS:
        request, call = caller(app, operation)
        build_floor, serialise_floor = floors_for(request, call())
        subject, base, low = per_call(call, build_floor, serialise_floor, calls=50 if quick else 200,
                                      rounds=5 if quick else 15)
        figures.append(Figure(f"CPU per call: {operation}", subject * 1e6, base * 1e6, "µs", "<= 3.0",
                              note=f"{subject / low:.1f}× parse+serialise only ({low * 1e6:.1f} µs)"))
    return figures


if __name__ == "__main__":
    from common import table

    print(table(run()))
