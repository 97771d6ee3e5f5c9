"""Memory while a large MTOM request goes through: a worker's resident set must stay flat (within 10 %).

A server process (cheroot on loopback, as ``altinn-so serve`` runs one worker) serves the emulator plus a
small MTOM service of this benchmark's own, whose upload operation declares the streamed operations' limit
(1 GiB), as the streamed broker and archive uploads will. After a warm-up call its resident set is the
floor; then one MTOM request of 200 MB (50 MB with ``--quick``), built as WCF's MtomMessageEncoder writes
it, is streamed to it, and the figure is the process's peak resident set (``VmHWM``, reset after the
warm-up) against that floor. The handler reads the part as the file-backed Blob it gets and hashes it, so
the bytes do go through the worker; the reply must name their size and SHA-256.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

from common import Figure

PATH = "/ServiceEngineExternal/BenchFileAgencyExternalBasic.svc"
NS = "http://www.altinn.no/services/ServiceEngine/BenchFile/2026/12"
ACTION = f"{NS}/IBenchFileAgencyExternalBasic/UploadStreamedBasic"
BOUNDARY = "uuid:0ca0e16e-feb1-426c-97d8-c4508ada5e82+id=1"
CID = "http://tempuri.org/1/639012345678901234"
BLOCK = bytes(range(256)) * 4096  # 1 MiB


def _service():
    from spyne import ByteArray, Unicode

    from altinn_so.service import AltinnService
    from altinn_so.soap.bodies import Blob
    from altinn_so.soap.contract import STREAMED_MAX_BODY_BYTES, Operation, ServiceContract

    def upload(call, args):
        data = args.get("data")
        digest = hashlib.sha256()
        for chunk in (data.chunks() if isinstance(data, Blob) else [data]):
            digest.update(chunk)
        return f"{len(data)}:{digest.hexdigest()}:{type(data).__name__}"

    contract = ServiceContract(
        name="BenchFileAgencyExternal", area="ServiceEngineExternal", bindings=("basic",), namespaces={"basic": NS},
        operations=(Operation("UploadStreamed", upload, params=(("name", Unicode), ("data", ByteArray)),
                              returns=Unicode, authenticated=False, max_body_bytes=STREAMED_MAX_BODY_BYTES),),
        mtom=True)
    return AltinnService(key="benchfiles", contracts=(contract,))


def serve(port: int) -> None:
    """The worker: the emulator and the benchmark's service, on cheroot."""
    from altinn_so.app import EmulatorApp
    from altinn_so.emulator import Emulator
    from altinn_so.server import make_server
    from altinn_so.services import SERVICES

    emulator = Emulator(services=SERVICES + (_service(),))
    server = make_server(EmulatorApp(emulator), "127.0.0.1", port, threads=4)
    server.prepare()
    print("ready", flush=True)
    server.serve()


def _request(size: int) -> tuple[bytes, bytes, str]:
    """(head, tail, Content-Type) of a WCF-shaped MTOM upload whose binary part of ``size`` bytes goes between."""
    envelope = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                f'<UploadStreamedBasic xmlns="{NS}"><name>big.zip</name><data><xop:Include '
                f'href="cid:http%3A%2F%2Ftempuri.org%2F1%2F639012345678901234" '
                'xmlns:xop="http://www.w3.org/2004/08/xop/include"/></data></UploadStreamedBasic></s:Body>'
                "</s:Envelope>")
    head = (f"--{BOUNDARY}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
            f'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n{envelope}'
            f"\r\n--{BOUNDARY}\r\nContent-ID: <{CID}>\r\nContent-Transfer-Encoding: binary\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                    f'boundary="{BOUNDARY}";start-info="text/xml"')
    return head, tail, content_type


def _upload(port: int, size: int) -> str:
    """Send the upload, streaming the part (the client holds 1 MiB of it at a time); the result text."""
    head, tail, content_type = _request(size)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.putrequest("POST", PATH)
    connection.putheader("Content-Type", content_type)
    connection.putheader("SOAPAction", f'"{ACTION}"')
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    left = size
    while left:
        piece = BLOCK[:min(len(BLOCK), left)]
        connection.send(piece)
        left -= len(piece)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"the upload failed with {response.status}: {body[:1000]!r}")
    start = body.index(b"<UploadStreamedBasicResult>") + len(b"<UploadStreamedBasicResult>")
    return body[start:body.index(b"</UploadStreamedBasicResult>")].decode()


def _expected(size: int) -> str:
    digest = hashlib.sha256()
    left = size
    while left:
        piece = BLOCK[:min(len(BLOCK), left)]
        digest.update(piece)
        left -= len(piece)
    return f"{size}:{digest.hexdigest()}:Blob"


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(quick: bool = False) -> list[Figure]:
    size = (50 if quick else 200) * 1000 * 1000
    port = _free_port()
    worker = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], cwd=Path(__file__).parent,
                              stdout=subprocess.PIPE, text=True)
    try:
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("the benchmark's server did not start")
        for _ in range(3):  # warm-up: every code path of the call has run once, at a size that stays in memory
            _upload(port, 64 * 1024)
        time.sleep(0.2)
        idle = _status_kib(worker.pid, "VmRSS")
        Path(f"/proc/{worker.pid}/clear_refs").write_text("5")  # resets VmHWM to the current resident set
        started = time.perf_counter()
        result = _upload(port, size)
        elapsed = time.perf_counter() - started
        peak = _status_kib(worker.pid, "VmHWM")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    if result != _expected(size):
        raise RuntimeError(f"the worker read something else: {result}")
    return [Figure(f"worker RSS during a {size // 1_000_000} MB MTOM upload (peak vs idle)", peak / 1024, idle / 1024,
                   "MiB", "<= 1.1", note=f"{size / elapsed / 1e6:.0f} MB/s through the worker")]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        from common import table
        print(table(run(quick="--quick" in sys.argv)))
