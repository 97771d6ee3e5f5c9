"""Builders for requests and readers for faults, shared by the wire tests."""

from __future__ import annotations

import zeep

FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"
OLA = "23917710120"  # seeded person with e-mail and mobile in KRR


def notification(reportee: str = OLA, transport: str = "Both", address: str | None = None, **extra) -> dict:
    """A StandaloneNotification for zeep, using the seeded TokenTextOnly template."""
    endpoint = {"TransportType": transport}
    if address:
        endpoint["ReceiverAddress"] = address
    return {"ReporteeNumber": reportee, "LanguageID": 1044, "NotificationType": "TokenTextOnly",
            "ReceiverEndPoints": {"ReceiverEndPoint": [endpoint]},
            "TextTokens": {"TextToken": [{"TokenNum": 0, "TokenValue": "Emne"}, {"TokenNum": 1, "TokenValue": "Tekst"}]},
            **extra}


def altinn_fault(client: zeep.Client, fault: zeep.exceptions.Fault) -> dict:
    """The AltinnFault detail of a zeep Fault, parsed with the client's own schema."""
    element = client.get_element(f"{{{FAULT_NS}}}AltinnFault")
    detail = fault.detail.find(f"{{{FAULT_NS}}}AltinnFault")
    assert detail is not None, "the fault has no AltinnFault detail"
    parsed = element.parse(detail, client.wsdl.types)
    return {key: parsed[key] for key in parsed}
