"""Serving the emulator over HTTP or HTTPS with cheroot (HTTP/1.1, keep-alive, a thread pool)."""

from __future__ import annotations

import logging
import signal
import socket
import ssl
import threading
from dataclasses import dataclass

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from .front import ConnectionLimits, install


@dataclass(frozen=True)
class TlsSettings:
    certificate: str  # server certificate (PEM), may include the chain
    private_key: str
    client_ca: str | None = None  # trust anchors for client certificates; None: do not ask for one


def tls_problem(tls: TlsSettings) -> str | None:
    """What is wrong with the certificate, key or client CA files, in one line; None when they load.

    Checked before serving: otherwise each worker process would fail on them while starting, with a traceback,
    and be started again by the master.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(tls.certificate, tls.private_key)
    except (OSError, ssl.SSLError) as exc:
        return (f"--tls-cert {tls.certificate} and --tls-key {tls.private_key} do not load as a PEM certificate and "
                f"its private key ({_reason(exc)})")
    if tls.client_ca:
        try:
            context.load_verify_locations(cafile=tls.client_ca)
        except (OSError, ssl.SSLError) as exc:
            return f"--tls-client-ca {tls.client_ca} does not load as PEM certificates ({_reason(exc)})"
    return None


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


log = logging.getLogger("altinn_so.server")


class _Server(wsgi.Server):
    """cheroot's server, reporting what goes wrong under it (a socket error, a client dropping its TLS
    handshake) through logging, so that it is a JSON line like every other message, not raw standard error."""

    limits = ConnectionLimits()
    listening: socket.socket | None = None  # a socket already bound and listening (a gunicorn worker's)

    def bind(self, family, type, proto=0):
        if self.listening is None:
            return super().bind(family, type, proto)
        self.socket = self.listening
        self.bind_addr = self.resolve_real_bind_addr(self.socket)
        return self.socket

    def prepare(self):
        super().prepare()
        # Connections wait for their request head without a worker thread (see front.py).
        install(self, self.limits)

    def error_log(self, msg="", level=logging.INFO, traceback=False):
        log.log(level, "%s", msg, exc_info=traceback)


class _Gateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway, also handing the app the client's socket (a fault rule may drop it)."""

    def get_environ(self):
        environ = super().get_environ()
        environ["altinn_so.socket"] = self.req.conn.socket
        return environ


def make_server(app, host: str, port: int, *, threads: int = 16, tls: TlsSettings | None = None,
                limits: ConnectionLimits = ConnectionLimits(), listening: socket.socket | None = None) -> wsgi.Server:
    """A cheroot server for ``app`` on ``host``:``port``, or on the ``listening`` socket when one is given."""
    server = _Server((host, port), app, numthreads=threads, server_name="altinn-so")
    server.limits = limits
    server.listening = listening
    server.request_queue_size = 1024  # listen backlog (cheroot's default is 5): bursts of new connections
    server.gateway = _Gateway
    if tls is not None:
        adapter = BuiltinSSLAdapter(tls.certificate, tls.private_key)
        if tls.client_ca:
            adapter.context.load_verify_locations(cafile=tls.client_ca)
            # Ask for a client certificate but let calls without one through: the SOAP layer
            # then answers with an AltinnFault instead of a failed handshake.
            adapter.context.verify_mode = ssl.CERT_OPTIONAL
        server.ssl_adapter = adapter
    return server


def serve_forever(server: wsgi.Server) -> None:
    """Run a prepared server until SIGINT or SIGTERM, then stop cleanly (in-flight requests finish)."""
    def stop(signum, frame):
        threading.Thread(target=server.stop, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    if not server.ready:
        server.prepare()
    server.serve()
