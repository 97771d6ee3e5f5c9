"""The server's scheduler: a background thread that does what the emulator's clock has made due.

Moving the clock (the admin API, the pytest plugin) runs the due work at once; the scheduler runs it as wall-clock
time passes, every ``interval_seconds``, so that a subscription activates on its date in a server left running.
It names no service (``Emulator.run_due_work`` asks each); a failed round is logged and the next one comes as
usual. Each worker process of a server runs one: the work guards itself against two of them (see the services'
``due_work``). It never runs on a SOAP call's path.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("altinn_so.scheduler")


class DueWorkScheduler:
    def __init__(self, emulator, interval_seconds: float = 1.0):
        self.emulator = emulator
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round: see the other workers' changes (the shared clock), then do what is due."""
        self.emulator.sync()
        return self.emulator.run_due_work()

    def start(self) -> None:
        """Start the thread (in this process: call it after a worker is forked), unless no service has due work."""
        if self._thread is not None or not self.emulator.has_due_work:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="altinn-so-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after the round it may be in."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.interval_seconds + 30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                done = self.run_once()
            except Exception:  # a failed round must not end the thread: the next may succeed
                log.exception("scheduled round of due work failed")
            else:
                if done:
                    log.info("scheduled round did %d things due on the clock", done)
