"""Serving with several worker processes (gunicorn) over one shared store.

The emulator is built once, in the master, before the workers are forked (gunicorn's ``preload_app``):
start-up work (schema, seed) happens once and every worker starts from the same state. After the fork
each worker opens its own database connection (``Database`` notices the new process) and starts its own
delivery thread; sharing the store is what keeps them one emulated Altinn (see ``store.database``).
"""

from __future__ import annotations

import ssl
from typing import Callable

from gunicorn.app.base import BaseApplication

from .server import TlsSettings


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def serve_with_workers(app, host: str, port: int, *, workers: int, threads: int, tls: TlsSettings | None,
                       ready: Callable[[str, int], None], after_fork: Callable[[], None],
                       before_exit: Callable[[], None]) -> None:
    """Run ``app`` in ``workers`` processes of ``threads`` threads each until SIGINT or SIGTERM.

    ``ready(host, port)`` runs in the master once the socket is bound (``port`` 0 picks a free one);
    ``after_fork()`` in each worker before it serves; ``before_exit()`` in the master at the end.
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": [bind], "workers": workers, "worker_class": "gthread", "threads": threads,
        "preload_app": True,
        # Calls are short; a call held by a fault rule's delay (up to 10 minutes) only blocks its own thread,
        # and the gthread worker keeps reporting to the master meanwhile.
        "timeout": 60, "graceful_timeout": 10, "keepalive": 75,  # clients keep SOAP connections open
        "accesslog": None, "loglevel": "warning",  # each call has its own line in our access log
        "when_ready": lambda server: ready(*_bound_address(server)),
        "post_fork": lambda server, worker: after_fork(),
        "on_exit": lambda server: before_exit(),
        "proc_name": "altinn-so",
    }
    if tls is not None:
        options.update(certfile=tls.certificate, keyfile=tls.private_key)
        if tls.client_ca:
            # Ask for a client certificate but let calls without one through: the SOAP layer then answers
            # with an AltinnFault instead of a failed handshake (as the single-process server does).
            options.update(ca_certs=tls.client_ca, cert_reqs=ssl.CERT_OPTIONAL)
    _Gunicorn(app, options).run()


def _bound_address(server) -> tuple[str, int]:
    address = server.LISTENERS[0].sock.getsockname()
    return address[0], address[1]
