"""Memory while a large file goes through one worker, up and down: its resident set must stay flat (within 10 %).

A server process (cheroot on loopback, as ``altinn-so serve`` runs one worker) serves the emulator plus a
small MTOM service of this benchmark's own, whose upload operation declares the streamed operations' limit
(1 GiB), as the streamed broker and archive uploads will, and moves the upload into the emulator's file
store (``Emulator.files``), as they will; its download operation returns the stored file, streamed from disk.
After warm-up calls the worker's resident set is the floor; then

* one MTOM request of 500 MB (50 MB with ``--quick``), built as WCF's MtomMessageEncoder writes it, is
  streamed to it; the reply must name the file's SHA-256 and size;
* the file is downloaded in an MTOM reply (a binary part), and
* in a plain reply (base64 text), the client reading each reply in 1 MiB pieces and hashing the file;

each figure is the process's peak resident set (``VmHWM``, reset before each transfer) against that floor.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Figure

PATH = "/ServiceEngineExternal/BenchFileAgencyExternalBasic.svc"
NS = "http://www.altinn.no/services/ServiceEngine/BenchFile/2026/12"
ACTION = f"{NS}/IBenchFileAgencyExternalBasic/UploadStreamedBasic"
DOWNLOAD = f"{NS}/IBenchFileAgencyExternalBasic/DownloadStreamedBasic"
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
        stored = call.emulator.files.put(data.chunks() if isinstance(data, Blob) else [data])
        return f"{stored.size}:{stored.sha256}:{type(data).__name__}"

    def download(call, args):
        return Blob.from_file(call.emulator.files.open(args.get("sha256")))

    contract = ServiceContract(
        name="BenchFileAgencyExternal", area="ServiceEngineExternal", bindings=("basic",), namespaces={"basic": NS},
        operations=(Operation("UploadStreamed", upload, params=(("name", Unicode), ("data", ByteArray)),
                              returns=Unicode, authenticated=False, max_body_bytes=STREAMED_MAX_BODY_BYTES),
                    Operation("DownloadStreamed", download, params=(("sha256", Unicode),), returns=ByteArray,
                              authenticated=False)),
        mtom=True)
    return AltinnService(key="benchfiles", contracts=(contract,))


def serve(port: int, files_dir: str) -> None:
    """The worker: the emulator and the benchmark's service, on cheroot, keeping files in ``files_dir``."""
    from altinn_so.app import EmulatorApp
    from altinn_so.emulator import Emulator, Settings
    from altinn_so.server import make_server
    from altinn_so.services import SERVICES

    emulator = Emulator(Settings(files_dir=files_dir), services=SERVICES + (_service(),))
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


def _download(port: int, sha256: str, mtom: bool) -> tuple[int, str]:
    """Download the stored file, reading the reply 1 MiB at a time: (bytes received, SHA-256 of the file)."""
    envelope = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                f'<DownloadStreamedBasic xmlns="{NS}"><sha256>{sha256}</sha256></DownloadStreamedBasic></s:Body>'
                "</s:Envelope>").encode()
    if mtom:
        body = (f"--{BOUNDARY}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
                f'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n').encode() + envelope \
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                        f'boundary="{BOUNDARY}";start-info="text/xml"')
    else:
        body, content_type = envelope, "text/xml; charset=utf-8"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", PATH, body=body, headers={"Content-Type": content_type, "SOAPAction": f'"{DOWNLOAD}"'})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"the download failed with {response.status}: {response.read()[:1000]!r}")
    received, digest = 0, hashlib.sha256()
    if mtom:  # the binary part: between the second part's headers and the closing delimiter
        boundary = response.getheader("Content-Type").split('boundary="')[1].split('"')[0].encode()
        pending, inside = b"", False
        while True:
            piece = response.read(1 << 20)
            received += len(piece)
            pending += piece
            if not inside:
                headers_end = pending.find(b"Content-Type: application/octet-stream\r\n\r\n")
                if headers_end >= 0:
                    pending, inside = pending[headers_end + 42:], True
            if inside:
                end = pending.find(b"\r\n--" + boundary)
                if end >= 0:
                    digest.update(pending[:end])
                    break
                keep = len(boundary) + 4
                digest.update(pending[:-keep])
                pending = pending[-keep:]
            if not piece:
                raise RuntimeError("the MTOM reply ended inside its binary part")
        received += len(response.read())
    else:  # the base64 text between the result's tags, decoded as it comes
        tag = b"<DownloadStreamedBasicResult>"
        pending, inside = b"", False
        while True:
            piece = response.read(1 << 20)
            received += len(piece)
            pending += piece
            if not inside and tag in pending:
                pending, inside = pending[pending.index(tag) + len(tag):], True
            if inside:
                end = pending.find(b"<")
                text = pending if end < 0 else pending[:end]
                usable = len(text) - len(text) % 4
                digest.update(base64.b64decode(text[:usable]))
                pending = pending[usable:]
                if end >= 0:
                    break
            if not piece:
                raise RuntimeError("the plain reply ended inside its result")
        received += len(response.read())
    connection.close()
    return received, digest.hexdigest()


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


def _peak(pid: int, transfer) -> tuple[float, object]:
    """Run ``transfer`` with the worker's peak resident set reset first: (peak MiB, what it returned, seconds)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current resident set
    started = time.perf_counter()
    result = transfer()
    return _status_kib(pid, "VmHWM") / 1024, result, time.perf_counter() - started


def run(quick: bool = False) -> list[Figure]:
    size = (50 if quick else 500) * 1000 * 1000
    port = _free_port()
    files_dir = tempfile.mkdtemp(prefix="altinn-so-bench-files-")  # (the worker is stopped, not closed: ours)
    worker = subprocess.Popen([sys.executable, __file__, "--serve", str(port), files_dir],
                              cwd=Path(__file__).parent, stdout=subprocess.PIPE, text=True)
    try:
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("the benchmark's server did not start")
        for _ in range(3):  # warm-up: every code path of the calls has run once, at a size that stays in memory
            small = _upload(port, 64 * 1024).split(":")[1]
            _download(port, small, mtom=True)
            _download(port, small, mtom=False)
        time.sleep(0.2)
        idle = _status_kib(worker.pid, "VmRSS") / 1024
        up_peak, result, up_seconds = _peak(worker.pid, lambda: _upload(port, size))
        if result != _expected(size):
            raise RuntimeError(f"the worker stored something else: {result}")
        sha256 = result.split(":")[1]
        downloads = {}
        for mtom in (True, False):
            downloads[mtom] = _peak(worker.pid, lambda mtom=mtom: _download(port, sha256, mtom))
            if downloads[mtom][1][1] != sha256:
                raise RuntimeError(f"the {'MTOM' if mtom else 'plain'} download sent other bytes")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        shutil.rmtree(files_dir, ignore_errors=True)
    megabytes = size // 1_000_000
    figures = [Figure(f"worker RSS during a {megabytes} MB MTOM upload into the file store (peak vs idle)", up_peak,
                      idle, "MiB", "<= 1.1", note=f"{size / up_seconds / 1e6:.0f} MB/s through the worker")]
    for mtom, label in ((True, "MTOM part"), (False, "plain base64")):
        peak, (received, _), seconds = downloads[mtom]
        figures.append(Figure(f"worker RSS during a {megabytes} MB download streamed from disk, {label} (peak vs "
                              "idle)", peak, idle, "MiB", "<= 1.1",
                              note=f"{received / seconds / 1e6:.0f} MB/s of reply"))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        from common import table
        print(table(run(quick="--quick" in sys.argv)))
