"""Start-up: from process start to the first successful SOAP call, against the interpreter's bare start-up.

The bare start-up is ``python -c pass`` with the same interpreter. The emulator is ``altinn-so serve`` on
its embedded default data (SQLite in memory), polled with the Test operation of the notification
service on a fresh connection until it answers 200. Medians of several starts, alternating the two.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from common import Figure

TEST = b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' \
       b'<Test xmlns="http://www.altinn.no/services/2009/10"/></s:Body></s:Envelope>'
ACTION = '"http://www.altinn.no/services/2009/10/IAltinnContractBase/Test"'
PATH = "/ServiceEngineExternal/NotificationAgencyExternalBasic.svc"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bare() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def emulator() -> float:
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "altinn_so.cli", "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", data=TEST, method="POST",
                                         headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": ACTION})
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    raise RuntimeError(f"altinn-so serve exited with {process.returncode}") from None
                if time.perf_counter() - started > 60:
                    raise RuntimeError("altinn-so serve did not answer within 60 s") from None
                time.sleep(0.005)
    finally:
        process.terminate()
        process.wait(timeout=20)


def run(quick: bool = False) -> list[Figure]:
    bares, starts = [], []
    for _ in range(2 if quick else 5):
        bares.append(bare())
        starts.append(emulator())
    first_call, interpreter = statistics.median(starts), statistics.median(bares)
    return [Figure("Start-up to the first SOAP call (vs python -c pass)", first_call * 1000, interpreter * 1000, "ms",
                   None, note="reported; no target")]


if __name__ == "__main__":
    from common import table

    print(table(run("--quick" in sys.argv)))
