"""Logging: one structured line per SOAP call, and the emulator's own messages.

``altinn-so serve`` logs to standard error, as JSON lines by default
(``--log-format text`` for people). Each call is one ``altinn_so.access``
record with its binding, operation, caller, outcome and duration.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

import orjson

from .journal import Exchange

access = logging.getLogger("altinn_so.access")
_CALL_FIELDS = ("method", "path", "binding", "operation", "caller", "status", "outcome", "error_id",
                "duration_ms", "reportees", "fault_rule")


def log_call(exchange: Exchange) -> None:
    if access.isEnabledFor(logging.INFO):
        fields = {name: getattr(exchange, name) for name in _CALL_FIELDS}
        fields["duration_ms"] = round(exchange.duration_ms, 2)
        access.info("%s %s -> %s", exchange.operation or exchange.path, exchange.binding, exchange.status,
                    extra={"call": fields})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name}
        call = getattr(record, "call", None)
        if call is not None:
            entry.update({k: v for k, v in call.items() if v not in (None, [], "")})
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # orjson: the formatter runs on every call, and json.dumps was most of its cost
        return orjson.dumps(entry, default=str).decode()


def configure(fmt: str = "json", level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("altinn_so")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # cheroot reports every client that goes away mid-handshake; that is the client's business
    logging.getLogger("cheroot").setLevel(logging.ERROR)
