"""Applying fault-injection rules (``altinn_so.injection``) to a SOAP call.

Delays happen first. Of the other firing rules the oldest wins: "before"
rules answer instead of the call, "after" rules answer after the call took
effect, receipt rules rewrite the receipt the call returns.
"""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass

from ..domain.errors import AltinnError
from ..injection import CallFacts, FaultRule
from ..journal import Exchange
from .contract import BoundOperation
from .envelope import CONTENT_TYPE, ENVELOPE_NS
from .faults import SoapFault


def _returns_receipt(operation: BoundOperation) -> bool:
    returns = operation.operation.returns
    return returns is not None and returns.get_type_name() in ("ReceiptExternal", "Receipt")


class DropConnection(Exception):
    """Close the client's connection without an answer."""


def drop(environ: dict) -> None:
    """Shut the client's socket down, if the server gave us one (cheroot, through our gateway)."""
    sock = environ.get("altinn_so.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


@dataclass
class InjectedFaults:
    before: FaultRule | None = None
    after: FaultRule | None = None
    receipt: FaultRule | None = None
    receipts: object = None  # the emulator's ReceiptService, for receipt rules

    @classmethod
    def consult(cls, emulator, exchange: Exchange, operation: BoundOperation) -> "InjectedFaults":
        if not emulator.faults.rules.cached_rules():
            return _NONE  # the usual case
        facts = CallFacts(operation=operation.wire_name, base_operation=operation.operation.name,
                          binding=exchange.binding or "", caller=exchange.caller, owner=exchange.owner,
                          reportees=tuple(exchange.reportees), returns_receipt=_returns_receipt(operation))
        firing = emulator.faults.consult(facts)
        chosen = cls(receipts=emulator.receipts)
        delays = [rule.action.ms for rule in firing if rule.action.type == "delay"]
        if delays:
            emulator.settle()  # the rules' counts are written: other workers need not wait with this call
            for ms in delays:
                time.sleep(ms / 1000)
        decisive = next((rule for rule in firing if rule.action.type != "delay"), None)
        if decisive is not None:
            exchange.fault_rule, exchange.injected = decisive.id, decisive.action.type
            if decisive.action.type == "receipt_status":
                chosen.receipt = decisive
            elif decisive.when == "after":
                chosen.after = decisive
            else:
                chosen.before = decisive
        return chosen

    def adjust_result(self, result):
        """A receipt rule turns the receipt the call returns (and stores) into a non-OK one."""
        rule = self.receipt
        if rule is None or not isinstance(result, dict) or "ReceiptId" not in result:
            return result
        status, text = rule.action.status, rule.action.text
        receipt = self.receipts.force_status(result["ReceiptId"], status, text)
        key = "ReceiptStatusCode" if "ReceiptStatusCode" in result else "ReceiptStatus"
        return {**result, key: status, "ReceiptText": receipt.text, "ReceiptHistory": receipt.history,
                "LastChanged": receipt.last_changed}

    def apply(self, rule: FaultRule, route, operation: BoundOperation, exchange: Exchange):
        """The answer an injected failure gives: raises SoapFault or DropConnection, or returns a response."""
        action = rule.action
        exchange.error_message = f"{action.type} injected by fault rule {rule.id}"
        version = route.endpoint.binding.soap_version
        if action.type == "altinn_fault":
            error_id, message, extended, localized = rule.error()
            guid = str(uuid.uuid4())
            message = message.replace("{guid}", guid)
            raise SoapFault(AltinnError(error_id, message, extended=extended, localized=localized, guid=guid),
                            action=operation.fault_action)
        if action.type == "http_status":
            return action.status, [("Content-Length", "0")], b""
        if action.type == "malformed_response":
            body = (f'<s:Envelope xmlns:s="{ENVELOPE_NS[version]}"><s:Body><{operation.response_element} '
                    f'xmlns="{operation.namespace}"><broken').encode()
            return 200, [("Content-Type", CONTENT_TYPE[version]), ("Content-Length", str(len(body)))], body
        if action.type == "drop_connection":
            raise DropConnection()
        raise AssertionError(f"not an answering action: {action.type}")


_NONE = InjectedFaults()  # no rule fires (it is never changed: every field stays None)
