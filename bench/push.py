"""Time per push: the emulator pushing one submission to a receiver, against sending the same bytes.

The subject is one push as the clock's due work makes it: the queued push and its archived task read, the
genericbatch built (a main form with a schema, a sub-form, a 64 KiB attachment, an approver, metadata), the ZIP and
the envelope written to a temporary file, the HTTP call, the reply read, and the attempt, the Outbound receipt and
the shipment status stored. The floor is the least any pusher does: send the same request bytes over a new
connection to the same receiver and read its reply. The receiver is a minimal HTTP server in this process that
answers every call with the same OK reply; it costs both sides the same.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from html import escape

from common import Figure, per_call

_RECEIPT = '<OnlineBatchReceipt><Result resultCode="OK">Mottatt</Result></OnlineBatchReceipt>'
_REPLY = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
          '<ReceiveOnlineBatchExternalAttachmentResponse xmlns="http://AltInn.no/webservices/">'
          f'<ReceiveOnlineBatchExternalAttachmentResult>{escape(_RECEIPT)}</ReceiveOnlineBatchExternalAttachmentResult>'
          '</ReceiveOnlineBatchExternalAttachmentResponse></s:Body></s:Envelope>').encode()


class _Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    last_request = b""

    def do_POST(self):  # noqa: N802 (http.server's name)
        type(self).last_request = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(_REPLY)))
        self.end_headers()
        self.wfile.write(_REPLY)

    def log_message(self, *args):
        pass


def _seed(url: str) -> str:
    return f"""
service_owners:
  - code: TTD
    orgno: "310001007"
    name: Testdepartementet
    services:
      - code: "5680"
        edition: 1
        kind: form
        name: Rapport om testaktivitet
        forms:
          - {{data_format_id: "5704", data_format_version: 34302, name: Rapport,
              xsd: xsd/rapport-om-testaktivitet.xsd}}
          - {{data_format_id: "5705", data_format_version: 34303, name: Vedlegg, main: false}}
        download_queue: true
        shipment_metadata: [Saksnummer, Periode]
        push: {{url: "{url}", username: Altinn, password: hemmelig}}
"""


def make_pusher(url: str):
    """An emulator whose service 5680/1 pushes to ``url``, and a function that submits one task and pushes it."""
    import cpu

    from altinn_so.emulator import Emulator, Settings

    # the default seed, with its service 5680/1 replaced by one that pushes
    emulator = Emulator(Settings(seed_files=(str(_seed_file(url)),)))
    cpu._archive_one(emulator)  # one submission (AR1000001), queued for the push; pushed by the first call

    def push_one():
        [attempt] = emulator.push.run_round()
        assert attempt.outcome == "OK", attempt
        # queue the same task again for the next call: the push's work without the end user's
        emulator.push.queue(emulator.archive.get_archived("AR1000001"))

    return emulator, push_one


def _seed_file(url: str):
    """The seed as a file in a folder of its own with a copy of the default seed's form schema beside it (a seed
    names a schema file relative to itself)."""
    import tempfile
    from importlib import resources
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="altinn-so-bench-push-"))
    (folder / "xsd").mkdir()
    schema = resources.files("altinn_so") / "seed" / "xsd" / "rapport-om-testaktivitet.xsd"
    (folder / "xsd" / "rapport-om-testaktivitet.xsd").write_bytes(schema.read_bytes())
    path = folder / "seed.yaml"
    path.write_text(_seed(url), encoding="utf-8")
    return path


def run(quick: bool = False) -> list[Figure]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address
    emulator, push_one = make_pusher(f"http://{host}:{port}/OnlineBatchReceiver.asmx")
    try:
        push_one()
        request = _Receiver.last_request

        def send_the_same_bytes():
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("POST", "/OnlineBatchReceiver.asmx", body=request, headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": '"http://AltInn.no/webservices/ReceiveOnlineBatchExternalAttachment"'})
            connection.getresponse().read()
            connection.close()

        subject, floor = per_call(push_one, send_the_same_bytes, calls=10 if quick else 40, rounds=5 if quick else 9)
    finally:
        server.shutdown()
        emulator.close()
    return [Figure("Time per push: one submission to a receiver", subject * 1e6, floor * 1e6, "µs", None,
                   note=f"floor: the same {len(request) // 1024} KiB request sent over a new connection")]


if __name__ == "__main__":
    from common import table

    print(table(run()))
