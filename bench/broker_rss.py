"""Memory while a large file goes through the real broker in one worker, up and down: its resident set must stay
flat (within 10 %).

A server process (cheroot on loopback, as ``altinn-so serve`` runs one worker) serves the emulator. The
rights register gives the sender (Testdepartementet) Write and the recipient (Etaten) Read on the seed's
broker service (SRR's AddRights, through the domain), and each upload is a shipment of its own
(``InitiateBrokerServiceBasic``). A valid ZIP of 500 MB (50 MB with ``--quick``: one stored, incompressible
entry, written by ``zipfile`` to a temporary file) is sent by ``UploadFileStreamedBasic``, streamed from disk:

* as WCF's MtomMessageEncoder writes it (the file a binary part), and
* as a plain body, the file as base64 text in ``DataStream`` (decoded to a file as the body is parsed);

then the recipient downloads it by ``DownloadFileStreamedBasic``, in an MTOM reply (a binary part) and in a
plain reply (base64 text), the client reading each reply in 1 MiB pieces and hashing the file. After warm-up
calls the worker's resident set is the floor; each figure is the process's peak resident set (``VmHWM``, reset
before each transfer) against that floor, with the transfer's rate.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from common import Figure

NS = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
SCHEMA_NS = "http://schemas.altinn.no/services/ServiceEngine/Broker/2015/06"
BASIC = "/ServiceEngineExternal/BrokerServiceExternalBasic.svc"
STREAMED = "/ServiceEngineExternal/BrokerServiceExternalBasicStreamed.svc"
INITIATE = f"{NS}/IBrokerServiceExternalBasic/InitiateBrokerServiceBasic"
UPLOAD = f"{NS}/IBrokerServiceExternalBasicStreamed/UploadFileStreamedBasic"
DOWNLOAD = f"{NS}/IBrokerServiceExternalBasicStreamed/DownloadFileStreamedBasic"
SENDER, RECIPIENT = "310001007", "310002003"  # the seed's Testdepartementet and Etaten
BOUNDARY = "uuid:0ca0e16e-feb1-426c-97d8-c4508ada5e82+id=1"
CID = "http://tempuri.org/1/639012345678901234"
PIECE = 3 * 1024 * 1024  # (a multiple of 3: its base64 has no padding until the end of the file)
ENVELOPE = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'


def serve(port: int, files_dir: str) -> None:
    """The worker: the emulator on cheroot, keeping files in ``files_dir``, the broker's rights registered."""
    from datetime import datetime, timezone

    from altinn_so.app import EmulatorApp
    from altinn_so.domain.auth import AuthMode
    from altinn_so.emulator import Emulator, Settings
    from altinn_so.server import make_server
    from altinn_so.services.srr.rules import RightRequest

    emulator = Emulator(Settings(files_dir=files_dir))
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    requests = [RightRequest(reportee, right, None, datetime(2030, 1, 1, tzinfo=timezone.utc))
                for reportee, right in ((SENDER, "Write"), (RECIPIENT, "Read"))]
    assert [r.result for r in emulator.srr.add_rights(caller, "5690", 1, requests)] == ["Ok", "Ok"]
    server = make_server(EmulatorApp(emulator), "127.0.0.1", port, threads=4)
    server.prepare()
    print("ready", flush=True)
    server.serve()


def make_zip(path: str, size: int) -> str:
    """A valid ZIP of about ``size`` bytes at ``path`` (one stored entry of random bytes): its SHA-256."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive, archive.open("stor.bin", "w",
                                                                                  force_zip64=True) as entry:
        left = size - 200
        while left > 0:
            piece = os.urandom(min(1 << 20, left))
            entry.write(piece)
            left -= len(piece)
    return _file_sha256(path)


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while piece := file.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _post(port: int, path: str, action: str, content_type: str, parts: list, length: int) -> bytes:
    """POST ``parts`` (bytes, or a callable yielding pieces) with a Content-Length; the reply's body (200 only)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("SOAPAction", f'"{action}"')
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    for part in parts:
        if isinstance(part, bytes):
            connection.send(part)
        else:
            for piece in part():
                connection.send(piece)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{action.rsplit('/', 1)[1]} failed with {response.status}: {body[:1000]!r}")
    return body


def _text(body: bytes, tag: str) -> str:
    start = body.index(f"<{tag}>".encode()) + len(tag) + 2
    return body[start:body.index(f"</{tag}>".encode())].decode()


def initiate(port: int) -> str:
    """A new shipment from the sender to the recipient: its reference."""
    envelope = (f'{ENVELOPE}<s:Body><InitiateBrokerServiceBasic xmlns="{NS}"><systemUserName>ttd-system'
                "</systemUserName><systemPassword>ttd-password</systemPassword><brokerServiceInitiation>"
                f'<Manifest xmlns="{SCHEMA_NS}"><ExternalServiceCode>5690</ExternalServiceCode>'
                "<ExternalServiceEditionCode>1</ExternalServiceEditionCode><FileList><File><FileName>stor.zip"
                f"</FileName></File></FileList><Reportee>{SENDER}</Reportee><SendersReference>BENCH"
                f"</SendersReference></Manifest><RecipientList xmlns=\"{SCHEMA_NS}\"><Recipient><PartyNumber>"
                f"{RECIPIENT}</PartyNumber></Recipient></RecipientList></brokerServiceInitiation>"
                "</InitiateBrokerServiceBasic></s:Body></s:Envelope>").encode()
    body = _post(port, BASIC, INITIATE, "text/xml; charset=utf-8", [envelope], len(envelope))
    return _text(body, "InitiateBrokerServiceBasicResult")


def _upload_envelope(reference: str) -> tuple[bytes, bytes]:
    """The message contract's envelope, split where the file goes (its headers: the shipment and the sender)."""
    headers = "".join(f'<{name} xmlns="{NS}">{value}</{name}>' for name, value in (
        ("FileName", "stor.zip"), ("Reference", reference), ("Reportee", SENDER),
        ("SystemPassword", "ttd-password"), ("SystemUserName", "ttd-system")))
    before, after = (f'{ENVELOPE}<s:Header>{headers}</s:Header><s:Body><StreamedPayloadBasicBE xmlns="{NS}">'
                     "<DataStream>@@</DataStream></StreamedPayloadBasicBE></s:Body></s:Envelope>").split("@@")
    return before.encode(), after.encode()


def upload(port: int, path: str, mtom: bool) -> str:
    """Upload the file at ``path`` to a new shipment, streamed from disk (1-3 MiB held at a time): its reference."""
    reference = initiate(port)
    size = os.path.getsize(path)

    def pieces(encode):
        with open(path, "rb") as file:
            while piece := file.read(PIECE):
                yield encode(piece)

    if mtom:
        include = ('<xop:Include href="cid:http%3A%2F%2Ftempuri.org%2F1%2F639012345678901234" '
                   'xmlns:xop="http://www.w3.org/2004/08/xop/include"/>')
        before, after = _upload_envelope(reference)
        root = (f"--{BOUNDARY}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
                f'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n').encode()
        part = (f"\r\n--{BOUNDARY}\r\nContent-ID: <{CID}>\r\nContent-Transfer-Encoding: binary\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        head = root + before + include.encode() + after + part
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                        f'boundary="{BOUNDARY}";start-info="text/xml"')
        body = _post(port, STREAMED, UPLOAD, content_type, [head, lambda: pieces(bytes), tail],
                     len(head) + size + len(tail))
    else:
        before, after = _upload_envelope(reference)
        encoded = (size + 2) // 3 * 4
        body = _post(port, STREAMED, UPLOAD, "text/xml; charset=utf-8",
                     [before, lambda: pieces(base64.b64encode), after], len(before) + encoded + len(after))
    if b"<ReceiptStatusCode>OK</ReceiptStatusCode>" not in body:
        raise RuntimeError(f"the upload was not received: {body[:1000]!r}")
    return reference


def download(port: int, reference: str, mtom: bool) -> tuple[int, str]:
    """The recipient downloads the shipment's file, reading the reply 1 MiB at a time: (bytes received, SHA-256
    of the file)."""
    envelope = (f'{ENVELOPE}<s:Body><DownloadFileStreamedBasic xmlns="{NS}"><systemUserName>ett-system'
                "</systemUserName><systemPassword>ett-password</systemPassword><fileReference>"
                f"{reference}</fileReference><reportee>{RECIPIENT}</reportee></DownloadFileStreamedBasic>"
                "</s:Body></s:Envelope>").encode()
    if mtom:
        body = (f"--{BOUNDARY}\r\nContent-ID: <http://tempuri.org/0>\r\nContent-Transfer-Encoding: 8bit\r\n"
                f'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n').encode() + envelope \
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        content_type = (f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
                        f'boundary="{BOUNDARY}";start-info="text/xml"')
    else:
        body, content_type = envelope, "text/xml; charset=utf-8"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", STREAMED, body=body,
                       headers={"Content-Type": content_type, "SOAPAction": f'"{DOWNLOAD}"'})
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
        tag = b"<DownloadFileStreamedBasicResult>"
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
    scratch = tempfile.mkdtemp(prefix="altinn-so-bench-broker-")  # (the worker is stopped, not closed: ours)
    worker = subprocess.Popen([sys.executable, __file__, "--serve", str(port), os.path.join(scratch, "files")],
                              cwd=Path(__file__).parent, stdout=subprocess.PIPE, text=True)
    try:
        small, large = os.path.join(scratch, "small.zip"), os.path.join(scratch, "large.zip")
        make_zip(small, 64 * 1024)
        sha256 = make_zip(large, size)
        size = os.path.getsize(large)
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("the benchmark's server did not start")
        for _ in range(3):  # warm-up: every code path of the calls has run once, at a size that stays in memory
            for mtom in (True, False):
                reference = upload(port, small, mtom)
                download(port, reference, mtom=True)
                download(port, reference, mtom=False)
        time.sleep(0.2)
        idle = _status_kib(worker.pid, "VmRSS") / 1024
        uploads, downloads = {}, {}
        for mtom in (True, False):
            uploads[mtom] = _peak(worker.pid, lambda mtom=mtom: upload(port, large, mtom))
        reference = uploads[True][1]
        for mtom in (True, False):
            downloads[mtom] = _peak(worker.pid, lambda mtom=mtom: download(port, reference, mtom))
            if downloads[mtom][1][1] != sha256:
                raise RuntimeError(f"the {'MTOM' if mtom else 'plain'} download sent other bytes")
        received, plain_sha = download(port, uploads[False][1], mtom=True)
        if plain_sha != sha256:
            raise RuntimeError("the plain upload stored other bytes")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    megabytes = round(size / 1e6)
    figures = []
    for mtom, label in ((True, "MTOM (a binary part)"), (False, "plain (base64 text)")):
        peak, _, seconds = uploads[mtom]
        figures.append(Figure(f"broker worker RSS: {megabytes} MB UploadFileStreamedBasic, {label} (peak vs idle)",
                              peak, idle, "MiB", "<= 1.1", note=f"{size / seconds / 1e6:.0f} MB/s of file"))
    for mtom, label in ((True, "MTOM (a binary part)"), (False, "plain (base64 text)")):
        peak, (received, _), seconds = downloads[mtom]
        figures.append(Figure(f"broker worker RSS: {megabytes} MB DownloadFileStreamedBasic, {label} (peak vs "
                              "idle)", peak, idle, "MiB", "<= 1.1", note=f"{size / seconds / 1e6:.0f} MB/s of file"))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        from common import table
        print(table(run(quick="--quick" in sys.argv)))
