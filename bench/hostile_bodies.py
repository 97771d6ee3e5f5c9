"""Hostile bodies (issue 19) at full scale: four concurrent 9 MB bodies of each kind, the process's memory measured.

Each kind runs in a fresh process of its own (the emulator's WSGI application in process, four threads, as four
server threads would call it): an element of a million attributes, millions of empty siblings, one 9 MB text
node, a few hundred thousand namespace declarations on one element, and, for comparison, bodies just under the
structural limits (accepted, answered, their tree the largest the limits allow). The figures are the growth of
the peak resident set (``VmHWM`` after writing 5 to ``clear_refs``) against a budget of 150 MB, and what stays
resident after the calls against 50 MB. tests/wire/test_hostile_bodies.py runs the same at 3 MB a body.

It also times the structural check itself on two honest bodies of 20,000 elements, one the counted bounds clear
and one that needs the exact scan, against lxml parsing the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from common import BENCH, ROOT, Figure

sys.path.insert(0, str(ROOT / "tests"))

SIZE = 9 * 1024 * 1024
QUICK_SIZE = 3 * 1024 * 1024
KINDS = ("attributes", "elements", "text", "namespaces", "under-the-limits")
PEAK_BUDGET_MB, AFTER_BUDGET_MB = 150, 50


def _kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _body(kind: str, size: int) -> bytes:
    from support.bombs import BOMBS, planted

    from altinn_so.soap.namespaces import SOAP11_ENV

    envelope = (f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><SendStandaloneNotificationBasicV2 '
                'xmlns="http://www.altinn.no/services/ServiceEngine/Notification/2010/10">'
                "<systemUserName>ttd-system</systemUserName><systemPassword>ttd-password</systemPassword>"
                "<standaloneNotifications/></SendStandaloneNotificationBasicV2></s:Body></s:Envelope>").encode()
    if kind == "under-the-limits":
        return planted(envelope, b"<x>" + b"<y a=''/>" * 49_000 + b"<y/>" * 49_000 + b"</x>")
    return planted(envelope, BOMBS[kind](size))


def one(kind: str, size: int) -> dict:
    """In this process: four concurrent calls with the body ``kind``; MB of peak growth, MB after, seconds."""
    import io

    from altinn_so.app import EmulatorApp
    from altinn_so.emulator import Emulator
    from altinn_so.seeding import default_seed

    app = EmulatorApp(Emulator(seed=default_seed()))
    body = _body(kind, size)
    path = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"
    action = ("http://www.altinn.no/services/ServiceEngine/Notification/2010/10/INotificationAgencyExternalBasic/"
              "SendStandaloneNotificationBasicV2")
    statuses: list[str] = []

    def call(data: bytes) -> None:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_TYPE": "text/xml; charset=utf-8",
                   "HTTP_SOAPACTION": action, "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
                   "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
        seen: list[str] = []
        b"".join(app(environ, lambda status, headers: seen.append(status)))
        statuses.append(seen[0].split()[0])

    call(_body("text", 10))  # the first call's one-off costs
    statuses.clear()
    before = _kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    started = time.perf_counter()
    threads = [threading.Thread(target=call, args=(body,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"peak": (_kib("VmHWM") - before) / 1024, "after": max(0, _kib("VmRSS") - before) / 1024,
            "seconds": seconds, "statuses": sorted(set(statuses)), "bytes": len(body)}


def _in_a_process(kind: str, size: int) -> dict:
    output = subprocess.run([sys.executable, str(BENCH / "hostile_bodies.py"), kind, str(size)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def scan_cost() -> list[Figure]:
    """Milliseconds of the structural check against lxml parsing the same bytes (no memory measured): for an
    honest body the counted bounds clear, and for one that needs the exact scan ('=' in its text)."""
    from lxml import etree

    from altinn_so.xmllimits import check_bytes

    bodies = {"20,000 elements with an attribute each (the bounds clear it)": b"<e a='1'>v</e>",
              "20,000 elements with '=' in their text (exact scan)": b"<e a='1'>x=1 y=2 z=3</e>"}
    figures = []
    for name, element in bodies.items():
        data = b"<r>" + element * 20_000 + b"</r>"
        checked = _seconds(lambda data=data: check_bytes(data))
        parsed = _seconds(lambda data=data: etree.fromstring(data))
        figures.append(Figure(f"Structural check of {name}", checked * 1e3, parsed * 1e3, "ms", None,
                              note="floor: lxml parsing the same bytes"))
    return figures


def _seconds(function, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return sorted(times)[rounds // 2]


def run(quick: bool = False) -> list[Figure]:
    size = QUICK_SIZE if quick else SIZE
    figures = []
    for kind in KINDS:
        result = _in_a_process(kind, size)
        what = (f"4 × {result['bytes'] / 1e6:.1f} MB {kind} bombs" if kind != "under-the-limits" else
                f"4 × {result['bytes'] / 1e6:.1f} MB bodies just under the limits")
        note = f"HTTP {'/'.join(result['statuses'])} in {result['seconds']:.2f} s"
        figures.append(Figure(f"Hostile bodies: {what}, peak RSS growth", result["peak"], PEAK_BUDGET_MB, "MB",
                              "<= 1.0", note=note + f"; floor: the {PEAK_BUDGET_MB} MB budget"))
        figures.append(Figure(f"Hostile bodies: {what}, RSS growth after the calls", result["after"],
                              AFTER_BUDGET_MB, "MB", "<= 1.0", note=f"floor: the {AFTER_BUDGET_MB} MB budget"))
    return figures + scan_cost()


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(one(sys.argv[1], int(sys.argv[2]))))
    else:
        from common import table

        print(table(run(quick="--quick" in sys.argv)))
