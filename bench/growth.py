"""Growth: what a status query and an insert cost with 1k and with 100k stored correspondences, and the
memory of the process serving them.

One emulator on a SQLite file (as a worker of ``serve --workers`` uses it) is filled to 1k
correspondences, measured, filled on to 100k and measured again; the 1k figures are the floor. Each
correspondence is stored as InsertCorrespondence stores it (receipt, references, two outbox messages),
an hour apart on the emulator's clock. Calls go through the in-process WSGI application:

* the status query asks GetCorrespondenceStatusDetailsBasicV3 for one service over a ten-hour window
  (ten correspondences, as a client polling for news does), and for the whole service (the result is
  capped at the status limit, and says LimitReached at 100k);
* the insert is InsertCorrespondenceBasicV2 with a notification (the cpu benchmark's request).

Memory is the resident set of the process after each round, with the data in the file, as a worker's.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
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


def _measure(app, emulator, count: int, quick: bool) -> dict:
    from cpu import caller as insert_caller

    last = START + SPACING * (count - 1)
    window = _status_call(app, last - SPACING * 10, last + SPACING)
    whole = _status_call(app, START - SPACING, None)
    _, insert = insert_caller(app, "InsertCorrespondenceBasicV2")
    emulator.clock.set(last + SPACING)
    calls, rounds = (10, 3) if quick else (40, 9)
    window_time, whole_time = per_call(window, whole, calls=calls, rounds=rounds)
    # inserts add rows: few enough not to change the size class
    (insert_time,) = per_call(insert, calls=calls, rounds=rounds)
    return {"window": window_time, "whole": whole_time, "insert": insert_time, "rss": resident_kib(),
            "window_found": _found(window()), "whole_limited": _limit_reached(whole())}


def _found(answer: bytes) -> int:
    return len(etree.fromstring(answer).xpath("//*[local-name()='CorrespondenceStatusDetailsList']/*"))


def _limit_reached(answer: bytes) -> bool:
    return etree.fromstring(answer).xpath("string(//*[local-name()='LimitReached'])") == "true"


def run(quick: bool = False) -> list[Figure]:
    import logging

    from altinn_so.app import EmulatorApp
    from altinn_so.domain.auth import AuthMode
    from altinn_so.domain.clock import Clock
    from altinn_so.domain.correspondence.model import CorrespondenceRequest
    from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest
    from altinn_so.emulator import Emulator, Settings

    logging.getLogger("altinn_so").setLevel(logging.INFO)
    logging.getLogger("altinn_so").addHandler(logging.NullHandler())
    small, large = (1_000, 20_000) if quick else (1_000, 100_000)
    with tempfile.TemporaryDirectory(prefix="altinn-so-growth-") as scratch:
        emulator = Emulator(Settings(database=os.path.join(scratch, "growth.sqlite3")), clock=Clock(frozen_at=START))
        app = EmulatorApp(emulator)
        caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
        notification = NotificationRequest(
            reportee_number=None, notification_type="TokenTextOnly", language="1044",
            endpoints=[EndPointRequest("Both")], text_tokens=["Vedtak", "Du har fått et vedtak."])
        request = CorrespondenceRequest(
            service_code="4255", service_edition="10", reportee="23917710120", senders_reference="GROWTH",
            system_user_code="TTD", language="1044", title="Vedtak", summary="Søknaden er innvilget.",
            body="<p>Vi har innvilget søknaden din.</p>", notifications=[notification])
        results = {}
        for count in (small, large):
            started = time.perf_counter()
            _fill(emulator, count, caller, request)
            filled = time.perf_counter() - started
            results[count] = _measure(app, emulator, count, quick)
            results[count]["fill"] = filled
        emulator.close()
    a, b = results[small], results[large]
    if not (a["window_found"] == b["window_found"] == 10 and b["whole_limited"]):
        raise RuntimeError(f"unexpected answers: {a['window_found']} and {b['window_found']} in the window, "
                           f"LimitReached {b['whole_limited']} for the whole service at {large}")
    label = f"{large // 1000}k vs {small // 1000}k correspondences"
    return [
        Figure(f"Growth: status query, 10-hour window, {label}", b["window"] * 1e6, a["window"] * 1e6, "µs",
               "<= 1.5"),
        Figure(f"Growth: status query, whole service (capped), {label}", b["whole"] * 1e6, a["whole"] * 1e6, "µs",
               "<= 1.5"),
        Figure(f"Growth: InsertCorrespondenceBasicV2, {label}", b["insert"] * 1e6, a["insert"] * 1e6, "µs",
               "<= 1.5"),
        Figure(f"Growth: resident memory of the process, {label}", b["rss"] / 1024, a["rss"] / 1024, "MiB",
               "<= 1.1", note="flat within ±10 %"),
    ]


if __name__ == "__main__":
    from common import table

    print(table(run("--quick" in sys.argv)))
