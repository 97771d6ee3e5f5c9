"""Logging: one structured line per SOAP call, and the emulator's own messages.

``altinn-so serve`` logs to standard error, as JSON lines by default
(``--log-format text`` for people). Each call is one ``altinn_so.access``
record with its binding, operation, caller, outcome and duration.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime, timezone

import orjson

from .journal import Exchange

_package = logging.getLogger("altinn_so")
access = logging.getLogger("altinn_so.access")
_CALL_FIELDS = ("method", "path", "binding", "operation", "caller", "status", "outcome", "error_id",
                "duration_ms", "reportees", "fault_rule")


def log_call(exchange: Exchange) -> None:
    if access.isEnabledFor(logging.INFO):
        fields = {name: getattr(exchange, name) for name in _CALL_FIELDS}
        fields["duration_ms"] = round(exchange.duration_ms, 2)
        handler = _only_json_lines()
        if handler is not None:
            handler.write_line(_json_line(time.time(), "info", access.name, fields))
        else:
            access.info("%s %s -> %s", exchange.operation or exchange.path, exchange.binding, exchange.status,
                        extra={"call": fields})


def _only_json_lines() -> "JsonLinesHandler | None":
    """The handler ``configure`` installed, when an access record would reach it and nothing else: the call's
    line is then written straight to it. A record goes through logging's machinery (caller lookup, record,
    dispatch, lock) at about a tenth of a small call's cost; with any other handler or filter set up, it does."""
    if access.handlers or access.filters or not access.propagate or access.parent is not _package:
        return None
    if _package.propagate or len(_package.handlers) != 1:  # (a parent's filters see no child's records)
        return None
    handler = _package.handlers[0]
    if type(handler) is not JsonLinesHandler or handler.filters or handler.level > logging.INFO \
            or type(handler.formatter) is not JsonFormatter:
        return None
    return handler


def _json_line(created: float, level: str, logger: str, call: dict | None, message: str | None = None,
               exception: str | None = None) -> str:
    entry = {"time": datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="milliseconds"),
             "level": level, "logger": logger}
    if call is not None:
        entry.update({k: v for k, v in call.items() if v not in (None, [], "")})
    else:
        entry["message"] = message
    if exception:
        entry["exception"] = exception
    # orjson: a line is written on every call, and json.dumps was most of its cost
    return orjson.dumps(entry, default=str).decode()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        call = getattr(record, "call", None)
        return _json_line(record.created, record.levelname.lower(), record.name, call,
                          None if call is not None else record.getMessage(),
                          self.formatException(record.exc_info) if record.exc_info else None)


class JsonLinesHandler(logging.StreamHandler):
    """JSON lines on a stream, as ``configure`` sets up for ``--log-format json``."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self.setFormatter(JsonFormatter())

    def write_line(self, line: str) -> None:
        """A line already formatted (see ``log_call``), written as ``emit`` writes a record's."""
        with self.lock:
            try:
                self.stream.write(line + self.terminator)
                self.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": line}))


class _StandardError:
    """Standard error as it is when a line is written, not as it was when logging was configured: a handler
    that kept the object it was given would write into whatever replaced it for a while (pytest's capture of
    one test, long closed) and report a logging error with a traceback instead of the line."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(fmt: str = "json", level: str = "info") -> None:
    if fmt == "json":
        handler = JsonLinesHandler(_StandardError())
    else:
        handler = logging.StreamHandler(_StandardError())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("altinn_so")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # cheroot reports every client that goes away mid-handshake; that is the client's business
    logging.getLogger("cheroot").setLevel(logging.ERROR)
