"""Serving with several worker processes over one shared store: gunicorn's master, our front in each worker.

The emulator is built once, in the master, before the workers are forked (gunicorn's ``preload_app``):
start-up work (schema, seed) happens once and every worker starts from the same state. After the fork
each worker opens its own database connection (``Database`` notices the new process) and starts its own
delivery thread; sharing the store is what keeps them one emulated Altinn (see ``store.database``).

gunicorn binds the port, forks, restarts a worker that dies and stops them all on SIGTERM. Each worker
serves the socket it inherited with the same cheroot server as a single process (``server.make_server``),
so a connection costs no worker thread until its request head has arrived whole (``front.py``), whatever
the number of workers: gunicorn's own thread workers give a thread to every accepted connection, and a
few silent or slow ones held them all. TLS and the client certificate are the single-process server's too.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker

from .front import ConnectionLimits
from .server import TlsSettings, make_server


WORKER_BOOT_ERROR = Arbiter.WORKER_BOOT_ERROR  # a worker's exit status that makes the master halt


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


class FrontWorker(Worker):
    """A gunicorn worker serving its inherited listening socket with our cheroot front.

    The server runs in a thread of its own; the main thread keeps telling the master it is alive and, on
    SIGTERM (gunicorn's graceful stop), when the master has gone, or on SIGINT (gunicorn's quick stop, which
    raises SystemExit here), stops the server: calls in progress finish, waiting connections are closed. A
    subclass made by :func:`serve_with_workers` carries the settings (gunicorn makes the worker from the class).
    """

    threads: int = 16
    tls: TlsSettings | None = None
    limits: ConnectionLimits = ConnectionLimits()

    def run(self) -> None:
        listening = self.sockets[0].sock
        host, port = listening.getsockname()[:2]
        server = make_server(self.wsgi, host, port, threads=self.threads, tls=self.tls, limits=self.limits,
                             listening=listening)
        try:
            server.prepare()
        except Exception:  # started again, it would fail again: have the master stop instead of looping
            self.log.exception("altinn-so: a worker could not start serving")
            sys.exit(WORKER_BOOT_ERROR)
        serving = threading.Thread(target=server.serve, name="altinn-so-front", daemon=True)
        serving.start()
        try:
            while self.alive and serving.is_alive():
                self.notify()
                if os.getppid() != self.ppid:  # the master is gone: nobody would stop or replace us
                    break
                serving.join(1.0)
        finally:
            server.stop()


def serve_with_workers(app, host: str, port: int, *, workers: int, threads: int, tls: TlsSettings | None,
                       limits: ConnectionLimits, ready: Callable[[str, int], None], after_fork: Callable[[], None],
                       before_exit: Callable[[], None]) -> None:
    """Run ``app`` in ``workers`` processes of ``threads`` threads each until SIGINT or SIGTERM.

    ``ready(host, port)`` runs in the master once the socket is bound (``port`` 0 picks a free one);
    ``after_fork()`` in each worker before it serves; ``before_exit()`` in the master at the end.
    """
    worker = type("AltinnSoWorker", (FrontWorker,), {"threads": threads, "tls": tls, "limits": limits})
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": [bind], "workers": workers, "worker_class": worker,
        "preload_app": True,
        "backlog": 1024,  # bursts of new connections (as the single-process server)
        # The worker's main thread reports every second, whatever its calls do: a call held by a fault
        # rule's delay (up to 10 minutes) only blocks its own pool thread.
        "timeout": 60, "graceful_timeout": 10,
        "accesslog": None, "loglevel": "warning",  # each call has its own line in our access log
        "when_ready": lambda server: ready(*_bound_address(server)),
        "post_fork": lambda server, worker: after_fork(),
        "on_exit": lambda server: before_exit(),
        "proc_name": "altinn-so",
    }
    _Gunicorn(app, options).run()


def _bound_address(server) -> tuple[str, int]:
    address = server.LISTENERS[0].sock.getsockname()
    return address[0], address[1]
