"""Growth: what a status query and an insert cost with 1k and with 100k stored correspondences, and the
memory of the process serving them.

Two SQLite files (as the workers of ``serve --workers`` use them) hold 1k and 100k correspondences; the
1k figures are the floor. Each
correspondence is stored as InsertCorrespondence stores it (receipt, references, two outbox messages),
an hour apart on the emulator's clock. Calls go through the in-process WSGI application:

* the status query asks GetCorrespondenceStatusDetailsBasicV3 for one service over a ten-hour window
  (ten correspondences, as a client polling for news does), and for the whole service (the result is
  capped at the status limit, and says LimitReached at 100k);
* the insert is InsertCorrespondenceBasicV2 with a notification (the cpu benchmark's request).

The two databases are open side by side and their calls timed in alternating rounds, so that the machine's
noise falls on both alike. Memory is the resident set of a fresh process (as a worker) that opened one of
the databases and made each call 50 times.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lxml import etree

from common import REQUESTS, Figure, per_call

STATUS_ACTION = ("http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10/"
                 "ICorrespondenceAgencyExternalBasic/GetCorrespondenceStatusDetailsBasicV3")
PATH = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc"
START = datetime(2020, 1, 1, tzinfo=timezone.utc)
SPACING = timedelta(hours=1)


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _fill(emulator, upto: int, caller, request) -> None:
    """Store correspondences until there are ``upto``, each an hour after the one before."""
    have = len(emulator.db.query("SELECT id FROM correspondences"))
    batch = 1000
    while have < upto:
        with emulator.db.transaction():  # bulk: many inserts per commit, as the emulator stores each
            for _ in range(min(batch, upto - have)):
                emulator.clock.set(START + SPACING * have)
                emulator.correspondence.insert(caller, request)
                have += 1


def _status_call(app, after: datetime, before: datetime | None):
    template = (REQUESTS / "GetCorrespondenceStatusDetailsBasicV3.xml.template").read_text()
    wire = "%Y-%m-%dT%H:%M:%S"
    body = template.replace("{after}", (after + timedelta(hours=1)).strftime(wire))  # Oslo time on the wire
    if before is None:
        body = body.replace("<ns2:CreatedBeforeDate", "<!--").replace("</ns2:CreatedBeforeDate>", "-->")
    else:
        body = body.replace("{before}", (before + timedelta(hours=1)).strftime(wire))
    return _caller(app, body.encode(), STATUS_ACTION)


def _caller(app, body: bytes, action: str):
    base = {"REQUEST_METHOD": "POST", "PATH_INFO": PATH, "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": f'"{action}"', "SERVER_NAME": "localhost",
            "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    seen = []

    def call():
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        out = b"".join(app(environ, lambda status, headers: seen.append(status)))
        if not seen.pop().startswith("200"):
            raise RuntimeError(out[:2000].decode())
        return out

    return call


class _Served:
    """An emulator on one of the databases, with the three calls the benchmark makes."""

    def __init__(self, path: str, count: int):
        from altinn_so.app import EmulatorApp
        from altinn_so.emulator import Emulator, Settings
        from cpu import caller as insert_caller

        self.emulator = Emulator(Settings(database=path))  # adopts the clock stored with the data
        app = EmulatorApp(self.emulator)
        last = START + SPACING * (count - 1)
        self.emulator.clock.set(last + SPACING)
        self.window = _status_call(app, last - SPACING * 10, last + SPACING)
        self.whole = _status_call(app, START - SPACING, None)
        _, self.insert = insert_caller(app, "InsertCorrespondenceBasicV2")  # a few hundred: same size class

    def close(self) -> None:
        self.emulator.close()


def _resident_after_calls(path: str, count: int) -> int:
    """KiB resident in a fresh process (as a worker) that opened the database and made each call 50 times."""
    code = (f"import growth; served = growth._Served({path!r}, {count})\n"
            "for _ in range(50): served.window(); served.whole(); served.insert()\n"
            "print(growth.resident_kib())")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, capture_output=True, text=True,
                          check=True)
    return int(done.stdout.strip().splitlines()[-1])


def _found(answer: bytes) -> int:
    return len(etree.fromstring(answer).xpath("//*[local-name()='CorrespondenceStatusDetailsList']/*"))


def _limit_reached(answer: bytes) -> bool:
    return etree.fromstring(answer).xpath("string(//*[local-name()='LimitReached'])") == "true"


def run(quick: bool = False) -> list[Figure]:
    import logging

    from altinn_so.domain.auth import AuthMode
    from altinn_so.domain.clock import Clock
    from altinn_so.services.correspondence.rules.model import CorrespondenceRequest
    from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest
    from altinn_so.emulator import Emulator, Settings

    logging.getLogger("altinn_so").setLevel(logging.INFO)
    logging.getLogger("altinn_so").addHandler(logging.NullHandler())
    small, large = (1_000, 20_000) if quick else (1_000, 100_000)
    with tempfile.TemporaryDirectory(prefix="altinn-so-growth-") as scratch:
        paths = {count: os.path.join(scratch, f"{count}.sqlite3") for count in (small, large)}
        emulator = Emulator(Settings(database=paths[small]), clock=Clock(frozen_at=START))
        caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
        notification = NotificationRequest(
            reportee_number=None, notification_type="TokenTextOnly", language="1044",
            endpoints=[EndPointRequest("Both")], text_tokens=["Vedtak", "Du har fått et vedtak."])
        request = CorrespondenceRequest(
            service_code="4255", service_edition="10", reportee="23917710120", senders_reference="GROWTH",
            system_user_code="TTD", language="1044", title="Vedtak", summary="Søknaden er innvilget.",
            body="<p>Vi har innvilget søknaden din.</p>", notifications=[notification])
        _fill(emulator, small, caller, request)
        emulator.close()
        shutil.copyfile(paths[small], paths[large])  # the large one grows from the same first 1k
        emulator = Emulator(Settings(database=paths[large]))
        _fill(emulator, large, caller, request)
        emulator.close()

        # Both sizes open side by side, their calls timed in alternating rounds: noise hits both alike.
        served = {count: _Served(paths[count], count) for count in (small, large)}
        a, b = served[small], served[large]
        if not (_found(a.window()) == _found(b.window()) == 10 and _limit_reached(b.whole())):
            raise RuntimeError("unexpected answers: the window should hold 10, the whole service reach the limit")
        calls, rounds = (10, 3) if quick else (30, 9)
        times = per_call(a.window, b.window, a.whole, b.whole, a.insert, b.insert, calls=calls, rounds=rounds)
        for item in served.values():
            item.close()
        memory = {count: _resident_after_calls(paths[count], count) for count in (small, large)}
    window_a, window_b, whole_a, whole_b, insert_a, insert_b = (t * 1e6 for t in times)
    label = f"{large // 1000}k vs {small // 1000}k correspondences"
    return [
        Figure(f"Growth: status query, 10-hour window, {label}", window_b, window_a, "µs", "<= 1.5"),
        Figure(f"Growth: status query, whole service (capped), {label}", whole_b, whole_a, "µs", "<= 1.5"),
        Figure(f"Growth: InsertCorrespondenceBasicV2, {label}", insert_b, insert_a, "µs", "<= 1.5"),
        Figure(f"Growth: resident memory of a worker, {label}", memory[large] / 1024, memory[small] / 1024, "MiB",
               "<= 1.1", note="flat within ±10 %"),
    ]


if __name__ == "__main__":
    from common import table

    print(table(run("--quick" in sys.argv)))
