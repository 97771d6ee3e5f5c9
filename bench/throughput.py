"""HTTP throughput: persisted InsertCorrespondenceBasicV2 calls per second through ``altinn-so serve``
against a minimal lxml SOAP echo served the same way.

Both run under gunicorn's master with one worker process per core and one thread each (the echo in gunicorn's
gthread workers, the emulator in its own, which serve with its cheroot front; on a one-core machine
``serve --workers 1`` is its single-process server instead); the emulator
stores into a SQLite file in WAL mode, journals every call and writes its
access log (to /dev/null). The load comes from wrk on the same machine, over loopback, with a POST script:
the same connections, threads and duration for both. Rounds alternate echo and emulator, and each round's
ratio compares the two runs made back to back: on a shared machine the echo alone swings by a factor of two
from one minute to the next, and a ratio of medians taken minutes apart would carry that swing. The table
shows the round with the median ratio, and the note the range of all rounds' ratios.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH, REQUESTS, Figure

ACTION = ("http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10/ICorrespondenceAgencyExternalBasic/"
          "InsertCorrespondenceBasicV2")
PATH = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc"
# Per worker, for both. CPU-bound Python gains nothing from more threads (the GIL), and a thread holding
# the store's write lock then waits for the GIL behind the others: one thread per worker serves most.
THREADS = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _script(directory: Path) -> Path:
    body = (REQUESTS / "InsertCorrespondenceBasicV2.xml").read_bytes()
    body_file = directory / "body.xml"
    body_file.write_bytes(body)
    script = directory / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
        f'wrk.headers["SOAPAction"] = \'"{ACTION}"\'\n'
        f'local f = io.open("{body_file}", "rb")\n'
        "wrk.body = f:read(\"*a\")\n"
        "f:close()\n")
    return script


def _wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of one wrk run; every answer must be a 2xx."""
    result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                             url], capture_output=True, text=True, check=True)
    out = result.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failures:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, p99


class _Server:
    def __init__(self, command: list[str], port: int, env: dict | None = None):
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        cwd=BENCH, env=env)
        try:
            _wait_until_listening(port, self.process)
        except RuntimeError:
            self.stop()  # a server that never answered is not left running
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run(quick: bool = False) -> list[Figure]:
    if shutil.which("wrk") is None:
        raise RuntimeError("the HTTP benchmark needs wrk (Debian: apt-get install wrk)")
    workers = os.cpu_count() or 1
    seconds, rounds, connections = (3, 1, 16) if quick else (6, 5, 32)
    with tempfile.TemporaryDirectory(prefix="altinn-so-bench-") as scratch:
        directory = Path(scratch)
        script = _script(directory)
        echo_port, emulator_port = _free_port(), _free_port()
        common = ["--workers", str(workers), "--threads", str(THREADS)]
        servers = []
        try:
            servers.append(_Server([sys.executable, "-m", "gunicorn", "echo_app:application", "-k", "gthread",
                                    *common, "--keep-alive", "75", "--preload", "-b", f"127.0.0.1:{echo_port}"],
                                   echo_port))
            servers.append(_Server([sys.executable, "-m", "altinn_so.cli", "serve", "--port", str(emulator_port),
                                    *common, "--db", str(directory / "bench.sqlite3")], emulator_port))
            echo_url, emulator_url = f"http://127.0.0.1:{echo_port}{PATH}", f"http://127.0.0.1:{emulator_port}{PATH}"
            for url in (echo_url, emulator_url):  # warm up: imports, caches, the first pages of the database
                _wrk(url, script, 2, connections)
            echo_runs, emulator_runs = [], []
            for _ in range(rounds):
                echo_runs.append(_wrk(echo_url, script, seconds, connections))
                emulator_runs.append(_wrk(emulator_url, script, seconds, connections))
        finally:
            for server in servers:
                server.stop()
    pairs = sorted(zip(emulator_runs, echo_runs), key=lambda pair: pair[0][0] / pair[1][0])
    (emulator_rate, emulator_p99), (echo_rate, echo_p99) = pairs[len(pairs) // 2]
    ratios = [emulator[0] / echo[0] for emulator, echo in pairs]
    spread = f"; rounds {ratios[0]:.2f}–{ratios[-1]:.2f}×" if len(ratios) > 1 else ""
    return [Figure(f"HTTP: InsertCorrespondenceBasicV2, {workers} workers, wrk {connections} connections",
                   emulator_rate, echo_rate, "calls/s", ">= 0.5",
                   note=f"p99 {emulator_p99:.1f} ms (echo {echo_p99:.1f} ms){spread}")]


if __name__ == "__main__":
    from common import table

    print(table(run("--quick" in sys.argv)))
