"""The command line as a user runs it: ``altinn-so serve`` in its own process, ``altinn-so wsdl``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from altinn_so.cli import _defaults_from_environment, build_parser, main

TEST_ACTION = "http://www.altinn.no/services/2009/10/IAltinnContractBase/Test"
BASIC = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"
NS = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10"


def _start(*args: str, env: dict | None = None) -> tuple[subprocess.Popen, str, list[str]]:
    process = subprocess.Popen([sys.executable, "-m", "altinn_so", "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=None if env is None else {**os.environ, **env})
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if BASIC in line:
            break
    match = re.search(r"serving on (https?://[^ ]+)", lines[0] if lines else "")
    if not match:
        process.kill()
        raise AssertionError(f"serve did not start: {lines} {process.stderr.read()}")
    return process, match.group(1), lines


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=15)


def _send(base: str, password: str = "ttd-password") -> requests.Response:
    body = f"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <SendStandaloneNotificationBasicV2 xmlns="{NS}"><systemUserName>ttd-system</systemUserName>
      <systemPassword>{password}</systemPassword><standaloneNotifications/></SendStandaloneNotificationBasicV2>
      </s:Body></s:Envelope>"""
    return requests.post(base + BASIC, data=body.encode(), headers={"Content-Type": "text/xml"})


def test_serve_prints_its_endpoints_answers_and_stops_on_sigterm():
    process, base, lines = _start()
    try:
        assert any(line.strip() == base + BASIC for line in lines)
        response = requests.post(base + BASIC, data=(
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            '<Test xmlns="http://www.altinn.no/services/2009/10"/></s:Body></s:Envelope>'),
            headers={"Content-Type": "text/xml", "SOAPAction": TEST_ACTION})
        assert response.status_code == 200 and b"TestResponse" in response.content
    finally:
        assert _stop(process) == 0


def test_state_in_a_database_file_survives_a_restart(tmp_path):
    database = tmp_path / "state.sqlite3"
    process, base, _ = _start("--db", str(database))
    try:
        for _ in range(5):
            assert _send(base, password="wrong").status_code == 500
        assert b"locked out" in _send(base).content
    finally:
        _stop(process)
    process, base, _ = _start("--db", str(database))
    try:
        assert b"locked out" in _send(base).content  # the lock-out was stored, not kept in memory
    finally:
        _stop(process)


def test_a_seed_file_extends_the_default(tmp_path):
    seed = tmp_path / "extra.yaml"
    seed.write_text("service_owners:\n  - code: XYZ\n    orgno: '310007005'\n    name: Xyz\n"
                    "    systems: [{username: xyz-system, password: xyz-pw}]\n")
    process, base, _ = _start("--seed", str(seed))
    try:
        assert _send(base).status_code == 200  # the default's system is still there
    finally:
        _stop(process)


def test_a_bad_seed_file_is_a_clear_error_not_a_traceback(tmp_path):
    seed = tmp_path / "bad.yaml"
    seed.write_text("persons:\n  - ssn: '12345678901'\n    first_name: X\n")
    run = subprocess.run([sys.executable, "-m", "altinn_so", "serve", "--seed", str(seed)], capture_output=True,
                         text=True, timeout=30)
    assert run.returncode == 2
    assert "bad.yaml" in run.stderr and "12345678901" in run.stderr
    assert "Traceback" not in run.stderr


def test_wsdl_writes_one_file_per_endpoint_with_the_given_address(tmp_path, capsys):
    assert main(["wsdl", "--out", str(tmp_path), "--base-url", "https://altinn.test:8443/"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"NotificationAgencyExternal.wsdl", "NotificationAgencyExternalBasic.wsdl",
            "NotificationAgencyExternalEC.wsdl", "NotificationAgencyExternalEC2.wsdl",
            "CorrespondenceAgencyExternalAEC2.wsdl", "ReceiptAgencyExternalBasic.wsdl"} <= set(names)
    basic = (tmp_path / "NotificationAgencyExternalBasic.wsdl").read_bytes()
    assert f'location="https://altinn.test:8443{BASIC}"'.encode() in basic


@pytest.mark.parametrize("args", [["--tls-cert", "x.pem"], ["--tls-client-ca", "ca.pem"]])
def test_incomplete_tls_options_are_refused(args, capsys):
    assert main(["serve", *args]) == 2


@pytest.mark.parametrize("args", [["--workers", "0"], ["--threads", "0"], ["--journal-limit", "0"],
                                  ["--journal-max-bytes", "0"]])
def test_workers_threads_and_the_journal_s_bounds_must_be_positive(args, capsys):
    assert main(["serve", *args]) == 2
    assert "at least 1" in capsys.readouterr().err


TEST_CALL = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
             '<Test xmlns="http://www.altinn.no/services/2009/10"/></s:Body></s:Envelope>')


@pytest.mark.parametrize("option, value", [
    ("--journal-limit", "2"),
    ("--journal-max-bytes", str(5 * len(TEST_CALL))),  # room for two calls of request and reply (each about as long)
])
def test_the_journal_keeps_as_much_as_it_is_told(option, value):
    process, base, _ = _start(option, value)
    try:
        for _ in range(3):
            requests.post(base + BASIC, headers={"Content-Type": "text/xml", "SOAPAction": TEST_ACTION},
                          data=TEST_CALL).raise_for_status()
        entries = requests.get(base + "/_admin/journal", timeout=10).json()["entries"]
        assert [entry["id"] for entry in entries] == [2, 3]
    finally:
        assert _stop(process) == 0


@pytest.mark.parametrize("url, shown", [
    ("postgresql://altinn:s3cret@db.example:5432/altinn", "postgresql://altinn:***@db.example:5432/altinn"),
    ("postgresql://postgres@127.0.0.1:5432/altinn", "postgresql://postgres@127.0.0.1:5432/altinn"),
    ("/data/altinn-so.sqlite3", "/data/altinn-so.sqlite3"),
    (":memory:", ":memory:"),
])
def test_a_database_password_is_not_printed(url, shown):
    from altinn_so.cli import _without_password
    assert _without_password(url) == shown


def test_the_connection_limits_default_as_the_front_does():
    # The parser keeps its own copy of the defaults (importing the front would load cheroot for every
    # `altinn-so health` of the container's health check); this keeps the two the same.
    from altinn_so.front import ConnectionLimits

    args = build_parser().parse_args(["serve"])
    assert ConnectionLimits(args.header_timeout, args.idle_timeout, args.body_min_rate) == ConnectionLimits()


# -- configuration from the environment (the container image) ---------------------------------------------

def _parsed(argv, environ):
    parser = build_parser()
    _defaults_from_environment(parser, environ)
    return parser.parse_args(argv)


def test_serve_options_come_from_the_environment_and_the_command_line_wins():
    environ = {"ALTINN_SO_PORT": "9090", "ALTINN_SO_HOST": "0.0.0.0", "ALTINN_SO_NO_DEFAULT_SEED": "1",
               "ALTINN_SO_SEED": "a.yaml" + os.pathsep + "b.yaml", "ALTINN_SO_LOG_LEVEL": "debug"}
    args = _parsed(["serve"], environ)
    assert (args.port, args.host, args.no_default_seed, args.seed, args.log_level) == (
        9090, "0.0.0.0", True, ["a.yaml", "b.yaml"], "debug")
    assert _parsed(["serve", "--port", "7070"], environ).port == 7070


@pytest.mark.parametrize("variable, value, says", [
    ("ALTINN_SO_PORT", "abc", "ALTINN_SO_PORT='abc' is not a valid value for --port"),
    ("ALTINN_SO_LOG_LEVEL", "verbose", "ALTINN_SO_LOG_LEVEL='verbose': choose from"),
])
def test_a_bad_value_in_the_environment_is_a_usage_error_not_a_traceback(variable, value, says, capsys):
    with pytest.raises(SystemExit) as exited:
        _parsed(["serve"], {variable: value})
    assert exited.value.code == 2
    assert says in capsys.readouterr().err


def test_the_environment_configures_serve_only():
    args = _parsed(["certs", "--out", "certs"], {"ALTINN_SO_HOST": "0.0.0.0"})
    assert "0.0.0.0" not in (args.host or [])


def test_health_checks_the_server_the_environment_configures():
    args = _parsed(["health"], {"ALTINN_SO_PORT": "9090", "ALTINN_SO_HOST": "0.0.0.0",
                                "ALTINN_SO_TLS_CERT": "/certs/server.pem", "ALTINN_SO_DB": "/data/x.sqlite3"})
    assert (args.port, args.host, args.tls_cert) == (9090, "0.0.0.0", "/certs/server.pem")


def test_health_is_0_while_the_server_answers_and_1_when_it_does_not(capsys):
    process, base, _ = _start("--host", "0.0.0.0")
    port = base.rsplit(":", 1)[1]
    try:
        assert main(["health", "--host", "0.0.0.0", "--port", port]) == 0  # asked on 127.0.0.1
        assert capsys.readouterr().out.strip() == f"http://127.0.0.1:{port}/_admin/health: ok"
    finally:
        assert _stop(process) == 0
    assert main(["health", "--port", port, "--timeout", "1"]) == 1
    assert f"altinn-so: http://127.0.0.1:{port}/_admin/health:" in capsys.readouterr().err


@pytest.mark.parametrize("body", [b"<html>not the emulator</html>", b"[1, 2]", b'{"status": "starting"}'])
def test_health_is_1_for_a_server_that_is_not_a_healthy_emulator(body, capsys):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Other(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert main(["health", "--port", str(server.server_port)]) == 1
    finally:
        server.shutdown()
    assert "/_admin/health:" in capsys.readouterr().err


def test_health_speaks_https_to_a_server_with_a_certificate(tmp_path, capsys):
    assert main(["certs", "--out", str(tmp_path)]) == 0
    cert, key = str(tmp_path / "server.pem"), str(tmp_path / "server-key.pem")
    process, base, _ = _start("--tls-cert", cert, "--tls-key", key)
    port = base.rsplit(":", 1)[1]
    try:
        assert base.startswith("https://")
        assert main(["health", "--port", port, "--tls-cert", cert]) == 0
        assert main(["health", "--port", port, "--timeout", "1"]) == 1  # plain HTTP to the HTTPS port
    finally:
        assert _stop(process) == 0


def test_the_files_directory_is_an_option_and_a_variable(tmp_path):
    assert _parsed(["serve"], {}).files_dir is None
    assert _parsed(["serve"], {"ALTINN_SO_FILES_DIR": str(tmp_path)}).files_dir == str(tmp_path)
    assert _parsed(["serve", "--files-dir", "/srv/files"], {"ALTINN_SO_FILES_DIR": str(tmp_path)}).files_dir == \
        "/srv/files"


# -- the admin token ---------------------------------------------------------------------------------------------

_WARNING = "without --admin-token"


@pytest.mark.parametrize("args, env, warned", [
    (("--host", "0.0.0.0"), {}, True),
    (("--host", "0.0.0.0", "--workers", "2"), {}, True),  # once, from the master
    (("--host", "127.0.0.1"), {}, False),
    (("--host", "0.0.0.0"), {"ALTINN_SO_ADMIN_TOKEN": "t0ken"}, False),
    (("--host", "0.0.0.0", "--admin-token", "t0ken"), {}, False),
])
def test_serve_warns_once_when_its_admin_api_is_open_beyond_this_machine(args, env, warned):
    process, base, _ = _start(*args, "--log-level", "warning", env=env)
    assert requests.get(f"{base}/_admin/health", timeout=10).status_code == 200  # serving: SIGTERM is handled
    assert _stop(process) == 0
    lines = [line for line in process.stderr.read().splitlines() if _WARNING in line]
    assert len(lines) == (1 if warned else 0), lines
    if warned:
        assert lines[0].startswith("altinn-so: warning: the admin API listens on 0.0.0.0 without --admin-token")
        assert "ALTINN_SO_ADMIN_TOKEN" in lines[0]


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("::", False),
                                            ("192.0.2.7", False), ("example.org", False), ("", False)])
def test_what_counts_as_loopback(host, loopback):
    from altinn_so.cli import _is_loopback

    assert _is_loopback(host) is loopback


def test_the_token_from_the_environment_guards_the_admin_api_and_health_stays_open():
    process, base, _ = _start("--host", "0.0.0.0", env={"ALTINN_SO_ADMIN_TOKEN": "t0ken"})
    port = base.rsplit(":", 1)[1]
    try:
        refused = requests.post(f"{base}/_admin/reset", timeout=10)
        assert (refused.status_code, refused.headers["WWW-Authenticate"][:6]) == (401, "Bearer")
        assert "admin token" in refused.json()["error"]
        assert requests.post(f"{base}/_admin/reset", headers={"Authorization": "Bearer t0ken"},
                             timeout=10).status_code == 200
        assert requests.get(f"{base}/_admin/ready", timeout=10).status_code == 200
        assert main(["health", "--host", "0.0.0.0", "--port", port]) == 0
    finally:
        _stop(process)
    assert "t0ken" not in process.stdout.read() + process.stderr.read()  # never printed
