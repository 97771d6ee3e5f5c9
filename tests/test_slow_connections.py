"""Connections that have not sent a whole request head cost no worker thread (issue 19, part 1).

A real ``altinn-so serve`` process; idle connections send nothing, slow ones a request line and then a
header byte now and then. The calls made meanwhile must be answered at all (each socket has a generous
timeout, so a server that holds its threads fails these tests rather than slowing them): nothing is timed.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support.processes import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
WSDL = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc?wsdl"
# Long enough for any loaded CI runner to answer one WSDL GET, far shorter than the unfixed server's stall
# (it never answered while the slow heads kept coming).
ANSWER_WITHIN = 8.0


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("certs")
    subprocess.run([sys.executable, "-m", "altinn_so.cli", "certs", "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return out


def _tls_options(certs: Path) -> list[str]:
    return ["--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server-key.pem"),
            "--tls-client-ca", str(certs / "ca.pem")]


def _client_context(certs: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.check_hostname = False
    context.load_cert_chain(str(certs / "ttd-bundle.pem"))
    return context


def _connect(port: int, context: ssl.SSLContext | None, timeout: float = ANSWER_WITHIN) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return context.wrap_socket(sock) if context is not None else sock


def _read_answer(sock: socket.socket) -> bytes:
    """One response with a Content-Length (head and body), read from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _get(sock: socket.socket, path: str = WSDL) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return _read_answer(sock)


def _read_answer_body(answer: bytes) -> bytes:
    return answer.partition(b"\r\n\r\n")[2]


def _closed_by_server(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (raises if it keeps it open)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


class _Crowd:
    def __init__(self, port: int, context, idle: int, slow: int):
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
        self.slow = [_connect(port, context, timeout=30) for _ in range(slow)]
        for sock in self.slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        self._stop = threading.Event()
        self._dripper = threading.Thread(target=self._drip, daemon=True)
        self._dripper.start()

    def _drip(self) -> None:
        while not self._stop.wait(0.5):
            for sock in self.slow:
                try:
                    sock.sendall(b"x")
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._dripper.join()
        for sock in self.sockets + self.slow:
            sock.close()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_new_call_is_answered_while_idle_and_slow_connections_are_open(scheme, workers, certs):
    tls = scheme == "https"
    server = ServerProcess("--workers", str(workers), "--threads", "4", *(_tls_options(certs) if tls else []),
                           ca_certificate=str(certs / "ca.pem"))
    context = _client_context(certs) if tls else None
    try:
        crowd = _Crowd(server.port, context, idle=64, slow=32)
        try:
            with _connect(server.port, context) as sock:
                answer = _get(sock)
                assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
                assert b"wsdl:definitions" in answer or b"definitions" in answer
                # the same connection is kept alive for a second call
                assert _get(sock, "/_admin/health").startswith(b"HTTP/1.1 200")
        finally:
            crowd.close()
    finally:
        server.stop()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_slow_request_head_is_closed_with_408_after_the_header_timeout(workers):
    server = ServerProcess("--workers", str(workers), "--header-timeout", "1")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as sock:
            sock.sendall(b"GET /_admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            answer = _closed_by_server(sock)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"Connection: close" in answer
    finally:
        server.stop()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_slow_body_is_closed_with_408_and_journaled_as_such(workers):
    server = ServerProcess("--workers", str(workers), "--header-timeout", "1", "--body-min-rate", "100")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as sock:
            sock.sendall(b"POST /ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc HTTP/1.1\r\n"
                         b"Host: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: 100000\r\n\r\n"
                         b"<s:Envelope")
            answer = _closed_by_server(sock)
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as sock:
            journal = json.loads(_read_answer_body(_get(sock, "/_admin/journal")))["entries"]
        assert [(entry["status"], entry["service"]) for entry in journal] == [(408, "CorrespondenceAgencyExternal")]
        assert "too slowly" in journal[0]["error_message"]
        assert "Traceback" not in server.errors(), server.errors()
    finally:
        server.stop()


def test_an_idle_connection_is_closed_after_the_idle_timeout_and_a_kept_alive_one_too():
    server = ServerProcess("--idle-timeout", "1")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as never_asked:
            assert _closed_by_server(never_asked) == b""  # closed without a word: it asked nothing
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as asked_once:
            assert _get(asked_once, "/_admin/health").startswith(b"HTTP/1.1 200")
            assert _closed_by_server(asked_once) == b""
    finally:
        server.stop()


def test_a_head_that_never_ends_is_refused_with_431():
    server = ServerProcess()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000)
            assert _closed_by_server(sock).startswith(b"HTTP/1.1 431 ")
    finally:
        server.stop()


@pytest.mark.parametrize("option", ["--header-timeout", "--idle-timeout", "--body-min-rate"])
def test_the_limits_must_be_positive(option):
    result = subprocess.run([sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0", option, "0"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert "must be more than 0" in result.stderr
