"""SOAP faults: every error the emulator answers with, on SOAP 1.1 and 1.2.

Every fault carries an ``AltinnFault`` detail (DESIGN.md, "Faults"), including
the ones raised before any Altinn rule runs (malformed XML, unknown action):
those carry ErrorID 0 and the text WCF would have sent, with WCF's fault
subcode. Domain errors (``AltinnError``) keep their documented ErrorID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..domain.errors import NO_INFORMATION, AltinnError, ErrorCode
from ..store.failures import StoreFailure

# What real Altinn put in faultstring / Reason (the detail carries the actual message).
FAULT_REASON = "An error occurred"
FAULT_LANG = "nb-NO"
GENERIC_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"
NON_FUNCTIONAL = ("Your request suffered from a non-functional error. If this persist, please report it to the "
                  "system administrator. Please include the id concerning this speciffic error [{guid}].")


@dataclass
class SoapFault(Exception):
    """A fault to send. ``code`` uses SOAP 1.1 names: Client, Server or VersionMismatch."""

    error: AltinnError
    status: int = 500
    code: str = "Client"
    subcode: str | None = None  # local name in the WS-Addressing namespace, e.g. "ActionNotSupported"
    reason: str = FAULT_REASON
    action: str = GENERIC_FAULT_ACTION
    reply_version: int | None = None  # answer in this SOAP version instead of the endpoint's
    # SOAP 1.2: the headers the request asked for (``envelope.ReplyHeaders``); None when the request could not be
    # read, and then the fault carries no mandatory header (every client can read it).
    reply_headers: object | None = None
    relates_to: str | None = None  # the request's wsa:MessageID

    @classmethod
    def protocol(cls, message: str, *, status: int = 500, code: str = "Client", subcode: str | None = None,
                 reply_version: int | None = None):
        """A fault raised by the SOAP machinery itself, worded as WCF words it."""
        return cls(AltinnError(ErrorCode.GENERAL_ERROR, message), status=status, code=code, subcode=subcode,
                   reason=message, reply_version=reply_version)

    @classmethod
    def store_failed(cls, failure: StoreFailure):
        """The emulator's own store failed (damaged, full, unreachable): a server fault that says so, where real
        Altinn would say only that something non-functional went wrong: a test run needs to know it is the
        emulator's disk or database, not its own request."""
        guid = str(uuid.uuid4())
        message = (f"The emulator's store failed: {failure.describe()}. The call did not complete; "
                   f"/_admin/ready reports when the store works again.")
        return cls(AltinnError(ErrorCode.GENERAL_ERROR, message, guid=guid), code="Server",
                   reason=f"The emulator's store failed: {failure.reason}")

    @classmethod
    def unexpected(cls):
        guid = str(uuid.uuid4())
        return cls(AltinnError(ErrorCode.GENERAL_ERROR, NON_FUNCTIONAL.format(guid=guid), guid=guid), code="Server")


SOAP12_CODES = {"Client": "Sender", "Server": "Receiver", "VersionMismatch": "VersionMismatch"}


def fault_detail(error: AltinnError) -> dict:
    return {
        "AltinnErrorMessage": error.message,
        "AltinnExtendedErrorMessage": error.extended or NO_INFORMATION,
        "AltinnLocalizedErrorMessage": error.localized or error.message,
        "ErrorGuid": error.guid or str(uuid.uuid4()),
        "ErrorID": error.error_id,
        "UserGuid": "-no value-",
        "UserId": "",
    }
