"""Connections that have not sent a request yet: how long a call on a new connection takes while many others
sit idle (connected, nothing sent) and others send their request head one byte a second.

Each case starts ``altinn-so serve`` (1 worker, then 2; HTTP, then HTTPS asking for client certificates),
opens the idle and slow-head connections, then times a WSDL GET on a new connection (over HTTPS with an
enterprise certificate). The floor is the same GET on the same server before any of those connections were
opened, so the ratio says how much they slow a caller down; the target is an absolute one, under 1 s.

    python connections.py [--quick] [--idle N] [--slow N] [--workers 1,2] [--no-tls]
"""

from __future__ import annotations

import argparse
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import Figure, Server

WSDL = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc?wsdl"


def client_context(certs: Path | None) -> ssl.SSLContext | None:
    if certs is None:
        return None
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.check_hostname = False
    bundle = next(iter(sorted(certs.glob("*-bundle.pem"))), None)
    if bundle is not None:
        context.load_cert_chain(str(bundle))
    return context


def connect(port: int, context: ssl.SSLContext | None, timeout: float = 30) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return context.wrap_socket(sock) if context is not None else sock


def wsdl_seconds(port: int, context: ssl.SSLContext | None, timeout: float = 15) -> float:
    """Seconds from connecting to the last byte of a WSDL GET's answer, on a new connection; ``timeout`` if it
    has not answered by then (what the unfixed server did)."""
    started = time.perf_counter()
    try:
        return _wsdl(port, context, timeout, started)
    except TimeoutError:
        return timeout


def _wsdl(port: int, context: ssl.SSLContext | None, timeout: float, started: float) -> float:
    with connect(port, context, timeout) as sock:
        sock.sendall(f"GET {WSDL} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"the WSDL GET answered {answer[:60]!r}")
    return time.perf_counter() - started


class Crowd:
    """``idle`` connections that send nothing and ``slow`` ones that send a request line and then one header
    byte a second (from one thread), until closed."""

    def __init__(self, port: int, context: ssl.SSLContext | None, idle: int, slow: int):
        self.idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
        self.slow = [connect(port, context) for _ in range(slow)]
        for sock in self.slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self._stop = threading.Event()
        self._dripper = threading.Thread(target=self._drip, daemon=True)
        self._dripper.start()

    def _drip(self) -> None:
        while not self._stop.wait(1):
            for sock in list(self.slow):
                try:
                    sock.sendall(b"X")
                except OSError:
                    self.slow.remove(sock)  # the server closed it (its head took too long)

    def close(self) -> None:
        self._stop.set()
        self._dripper.join()
        for sock in self.idle + self.slow:
            sock.close()


def measure(workers: int, certs: Path | None, idle: int, slow: int) -> tuple[float, float]:
    """(seconds for a new call before the crowd, seconds with it), the median of three calls each."""
    options = ["--workers", str(workers)]
    if certs is not None:
        options += ["--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server-key.pem"),
                    "--tls-client-ca", str(certs / "ca.pem")]
    server = Server(*options)
    context = client_context(certs)
    try:
        _wait(server.port, context)
        before = sorted(wsdl_seconds(server.port, context) for _ in range(3))[1]
        crowd = Crowd(server.port, context, idle, slow)
        try:
            time.sleep(1.5)  # the slow heads have each sent a byte or two
            during = sorted(wsdl_seconds(server.port, context) for _ in range(3))[1]
        finally:
            crowd.close()
    finally:
        server.stop()
    return before, during


def _wait(port: int, context, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _wsdl(port, context, 5, time.perf_counter())
            return
        except (OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def make_certs(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "altinn_so.cli", "certs", "--out", str(directory)], check=True,
                   stdout=subprocess.DEVNULL)
    return directory


def run(quick: bool = False, idle: int | None = None, slow: int | None = None,
        workers: tuple[int, ...] = (1, 2), tls: bool = True) -> list[Figure]:
    idle = idle if idle is not None else (64 if quick else 1000)
    slow = slow if slow is not None else (32 if quick else 200)
    figures = []
    with tempfile.TemporaryDirectory(prefix="altinn-so-bench-") as scratch:
        certs = make_certs(Path(scratch)) if tls else None
        for count in workers:
            for kind in ("HTTP", "HTTPS") if tls else ("HTTP",):
                before, during = measure(count, certs if kind == "HTTPS" else None, idle, slow)
                figures.append(Figure(f"new call with {idle} idle + {slow} slow-head connections, {kind}, "
                                      f"{count} worker{'s' if count > 1 else ''}", during, before, "s", None,
                                      note=f"{during * 1000:.0f} ms; under 1 s wanted"))
    return figures


if __name__ == "__main__":
    from common import table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--idle", type=int)
    parser.add_argument("--slow", type=int)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--no-tls", action="store_true")
    args = parser.parse_args()
    print(table(run(args.quick, args.idle, args.slow, tuple(int(n) for n in args.workers.split(",")),
                    not args.no_tls)))
