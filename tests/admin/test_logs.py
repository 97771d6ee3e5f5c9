"""Logging: one structured ``altinn_so.access`` record per SOAP call, as JSON lines; tracebacks only in the log."""

from __future__ import annotations

import io
import json
import logging
import sys
from contextlib import contextmanager

import pytest
import requests
import zeep

from altinn_so import logs
from altinn_so.logs import JsonFormatter

from .helpers import KARI, OLA, SOAP11, AdminApi, envelope11, notification, path_of, wait_for

CALL_FIELDS = {"method", "path", "binding", "operation", "caller", "status", "outcome", "error_id", "duration_ms",
               "reportees", "fault_rule"}


class Captured:
    """JSON lines written by a JsonFormatter handler on one logger."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@contextmanager
def _capture(name: str, level=logging.INFO, *, propagate: bool = False):
    """The JSON lines logger ``name`` writes meanwhile (to this handler only, unless ``propagate``); the logger
    is as it was afterwards."""
    logger = logging.getLogger(name)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    saved = (logger.level, logger.propagate, logger.disabled)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate
    logger.disabled = False
    try:
        yield Captured(stream)
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate, logger.disabled = saved


@pytest.fixture
def access(base_url):
    with _capture("altinn_so.access") as captured:
        yield captured


@pytest.fixture
def admin_log():
    with _capture("altinn_so.admin", logging.ERROR) as captured:
        yield captured


def test_one_json_line_per_soap_call_with_its_fields(access, soap, admin):
    soap.insert("LOG-1")
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(notification(KARI, transport="Email"), password="wrong")
    rule = admin.add_fault({"type": "altinn_fault", "error_id": 4711}, operation="SendStandaloneNotification")
    with pytest.raises(zeep.exceptions.Fault):
        soap.notify(binding="ws")
    ok, refused, injected = access.lines()

    assert set(ok) == {"time", "level", "logger"} | CALL_FIELDS - {"error_id", "fault_rule"}
    assert (ok["level"], ok["logger"], ok["method"], ok["path"], ok["binding"], ok["operation"], ok["caller"],
            ok["status"], ok["outcome"], ok["reportees"]) == (
        "info", "altinn_so.access", "POST", path_of("correspondence"), "basic", "InsertCorrespondenceBasicV2",
        "ttd-system", 200, "ok", [OLA])
    assert isinstance(ok["duration_ms"], float) and ok["duration_ms"] > 0
    assert ok["time"].endswith("+00:00") and "T" in ok["time"]

    assert (refused["operation"], refused["status"], refused["outcome"], refused["error_id"],
            refused["reportees"]) == ("SendStandaloneNotificationBasicV3", 500, "fault", 989, [KARI])
    assert refused["caller"] == "ttd-system"  # who claimed to call, although the login failed

    assert (injected["binding"], injected["operation"], injected["caller"], injected["error_id"],
            injected["fault_rule"]) == ("ws", "SendStandaloneNotificationV3", "ttd-system", 4711, rule["id"])


def test_the_log_agrees_with_the_journal(access, soap, admin):
    soap.test()
    soap.notify()
    soap.insert("LOG-2", binding="aec2")
    for line, entry in zip(access.lines(), admin.journal(bodies=0), strict=True):
        for key in CALL_FIELDS - {"duration_ms"}:
            assert line.get(key) == (entry[key] if entry[key] not in (None, []) else None), key


def test_empty_fields_are_left_out(access, soap):
    soap.test("receipt", "ec2")
    (line,) = access.lines()
    assert set(line) == {"time", "level", "logger", "method", "path", "binding", "operation", "status", "outcome",
                         "duration_ms"}
    assert (line["operation"], line["binding"], line["status"]) == ("Test", "ec2", 200)


def test_hostile_and_malformed_calls_are_logged_too(access, base_url):
    requests.post(base_url + path_of("notification"), data=b"<not xml", headers=SOAP11, timeout=5)
    requests.put(base_url + path_of("notification"), data=b"x", headers=SOAP11, timeout=5)
    malformed, wrong_method = access.lines()
    assert (malformed["status"], malformed["outcome"], malformed["error_id"], malformed["binding"]) == (
        400, "fault", 0, "basic")
    assert "operation" not in malformed
    assert (wrong_method["method"], wrong_method["status"], wrong_method["outcome"]) == ("PUT", 405, "fault")


def test_a_dropped_connection_is_logged(access, soap, admin):
    admin.add_fault({"type": "drop_connection"})
    with pytest.raises(requests.exceptions.ConnectionError):
        soap.test()
    (line,) = wait_for(access.lines)
    assert (line["status"], line["fault_rule"]) == (0, 1)


def test_wsdl_downloads_admin_calls_and_unknown_paths_are_not_logged(access, admin, base_url):
    requests.get(base_url + path_of("correspondence") + "?wsdl", timeout=5)
    requests.get(base_url + path_of("correspondence"), timeout=5)
    requests.post(base_url + "/Nowhere.svc", data=envelope11("<x/>"), headers=SOAP11, timeout=5)
    admin.get("/journal")
    admin.call("GET", "/")
    assert access.lines() == []


def test_nothing_is_logged_below_info(access, soap):
    logging.getLogger("altinn_so.access").setLevel(logging.WARNING)
    soap.test()
    assert access.lines() == []


def test_records_carry_the_call_for_other_formatters(base_url, soap, caplog):
    caplog.set_level(logging.INFO, logger="altinn_so.access")
    logger = logging.getLogger("altinn_so.access")
    saved = logger.propagate, logging.getLogger("altinn_so").propagate
    logger.propagate = logging.getLogger("altinn_so").propagate = True  # logs.configure() may have stopped it
    try:
        soap.insert("LOG-3")
        soap.test()
    finally:
        logger.propagate, logging.getLogger("altinn_so").propagate = saved
    records = [r for r in caplog.records if r.name == "altinn_so.access"]
    assert [r.getMessage() for r in records] == ["InsertCorrespondenceBasicV2 basic -> 200", "Test basic -> 200"]
    assert records[0].levelno == logging.INFO
    assert records[0].call["caller"] == "ttd-system" and set(records[0].call) == CALL_FIELDS


@pytest.fixture
def configure_to_buffer(monkeypatch):
    """``logs.configure`` writing to a string buffer it returns; the logging set-up it changes is put back.

    Standard error is replaced when the test calls it: pytest installs its own capture between fixture
    set-up and the test."""
    root, cheroot = logging.getLogger("altinn_so"), logging.getLogger("cheroot")
    saved = (root.handlers[:], root.level, root.propagate, cheroot.level)

    def configure(fmt: str) -> io.StringIO:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stderr", stream)
        logs.configure(fmt, "info")
        return stream

    yield configure
    root.handlers[:], root.level, root.propagate = saved[:3]
    cheroot.setLevel(saved[3])


def test_configure_writes_json_lines_to_stderr(base_url, soap, configure_to_buffer):
    stderr = configure_to_buffer("json")
    soap.test()
    logging.getLogger("altinn_so.emulator").warning("a message of the emulator's own")
    call, message = [json.loads(line) for line in stderr.getvalue().splitlines()]
    assert (call["logger"], call["operation"], call["status"]) == ("altinn_so.access", "Test", 200)
    assert (message["level"], message["logger"], message["message"]) == (
        "warning", "altinn_so.emulator", "a message of the emulator's own")


def test_configure_text_format(base_url, soap, configure_to_buffer):
    stderr = configure_to_buffer("text")
    soap.test()
    (line,) = stderr.getvalue().splitlines()
    assert line.endswith("INFO altinn_so.access: Test basic -> 200")


def test_a_call_s_line_is_the_same_whether_written_straight_or_through_logging(soap, configure_to_buffer):
    """``configure`` lets a call's line bypass logging's machinery while nothing else would see the record;
    a filter anywhere on its way sends it through logging again, and the line does not change."""
    stderr = configure_to_buffer("json")
    made = []
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(lambda name, *args, **kwargs: made.append(name) or factory(name, *args, **kwargs))
    try:
        soap.insert("LOG-STRAIGHT")
    finally:
        logging.setLogRecordFactory(factory)
    assert "altinn_so.access" not in made  # the first line was written straight
    (handler,) = logging.getLogger("altinn_so").handlers
    seen = []

    def keep(record):
        seen.append(record)
        return True

    handler.addFilter(keep)
    try:
        soap.insert("LOG-STRAIGHT")
    finally:
        handler.removeFilter(keep)
    straight, through_logging = [json.loads(line) for line in stderr.getvalue().splitlines()]
    assert [record.name for record in seen] == ["altinn_so.access"]  # only the second went through logging
    for line in (straight, through_logging):
        del line["time"], line["duration_ms"]
    assert straight == through_logging and straight["operation"] == "InsertCorrespondenceBasicV2"


def test_a_handler_added_after_configure_gets_every_call(soap, configure_to_buffer):
    stderr = configure_to_buffer("json")
    with _capture("altinn_so.access", propagate=True) as captured:  # and on to the configured handler
        soap.test()
    (mine,) = captured.lines()
    (configured,) = [json.loads(line) for line in stderr.getvalue().splitlines()]
    assert mine == configured and mine["operation"] == "Test"


def test_a_stream_that_fails_does_not_fail_the_call(soap, configure_to_buffer):
    class Gone(io.StringIO):
        def write(self, text):
            raise OSError("the pipe is gone")

    stderr = configure_to_buffer("json")
    logging.getLogger("altinn_so").handlers[0].setStream(Gone())
    soap.test()  # the call is answered ...
    assert "--- Logging error ---" in stderr.getvalue()  # ... and logging reports its trouble, as it does
    assert "the pipe is gone" in stderr.getvalue()


def test_a_failing_admin_call_logs_its_traceback_and_answers_without_it(emulator, serve, admin_log):
    def deliver():
        raise RuntimeError("the SMTP server is on fire")

    api = AdminApi(serve(emulator, deliver=deliver))
    assert api.error("POST", "/outbox/deliver", 500) == "internal error; see the emulator's log"
    (line,) = admin_log.lines()
    assert (line["level"], line["logger"], line["message"]) == ("error", "altinn_so.admin",
                                                                 "admin call POST /outbox/deliver failed")
    assert "Traceback" in line["exception"] and "the SMTP server is on fire" in line["exception"]


def test_a_call_whose_journal_entry_fails_still_takes_effect_and_answers(emulator, admin, soap, soap_log,
                                                                         monkeypatch):
    """The call's own writes commit before it is journalled: the client hears what happened."""
    def fail(exchange):
        raise RuntimeError("the journal's disk is full")

    monkeypatch.setattr(emulator.journal, "record", fail)
    receipt = soap.insert("UNJOURNALLED")
    assert receipt.ReceiptStatusCode == "OK"
    assert [c["senders_reference"] for c in admin.state("correspondences")] == ["UNJOURNALLED"]
    (line,) = soap_log.lines()
    assert line["message"] == f"could not journal the call to {path_of('correspondence')}"
    assert "the journal's disk is full" in line["exception"]
    monkeypatch.undo()
    assert admin.journal() == []


def test_the_http_server_s_own_troubles_are_log_records():
    """cheroot writes what goes wrong under the app (a socket error, a dropped TLS handshake) to raw standard
    error unless told otherwise; ours goes through logging, as JSON lines with its traceback."""
    from altinn_so.server import make_server

    server = make_server(lambda environ, start_response: [], "127.0.0.1", 0)
    with _capture("altinn_so.server") as captured:
        try:
            raise OSError("connection reset")
        except OSError:
            server.error_log("socket.error 104", level=logging.WARNING, traceback=True)
        server.error_log("Client lost during handshake")
    warning, info = captured.lines()
    assert (warning["level"], warning["logger"], warning["message"]) == ("warning", "altinn_so.server",
                                                                         "socket.error 104")
    assert "OSError: connection reset" in warning["exception"]
    assert (info["level"], info["message"], "exception" in info) == ("info", "Client lost during handshake", False)


def test_json_formatter_keeps_one_line_per_record():
    record = logging.LogRecord("altinn_so.soap", logging.ERROR, __file__, 1, "line one\nline two", None, None)
    try:
        raise ValueError("boom\nwith a newline")
    except ValueError:
        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    parsed = json.loads(text)
    assert parsed["message"] == "line one\nline two" and "ValueError: boom" in parsed["exception"]


@pytest.fixture
def soap_log():
    with _capture("altinn_so.soap", logging.ERROR) as captured:
        yield captured


def test_an_unexpected_soap_error_logs_its_traceback_only(access, soap_log, soap, emulator, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(emulator.authenticator, "authenticate", explode)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.notify()
    assert "secret internals" not in str(caught.value)
    (line,) = soap_log.lines()
    assert line["logger"] == "altinn_so.soap" and line["message"].startswith("unexpected error serving /")
    assert "RuntimeError: secret internals" in line["exception"]
    (call,) = access.lines()
    assert (call["status"], call["error_id"], call["outcome"]) == (500, 0, "fault")
