"""Running ``altinn-so serve`` as a real process, and calling it by hand from many threads."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import zeep
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
OLA = "23917710120"
SOAP11 = "text/xml; charset=utf-8"
CORRESPONDENCE = "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc"
RECEIPT = "/IntermediaryExternal/ReceiptAgencyExternalBasic.svc"


class ServerProcess:
    """``altinn-so serve --port 0 ...`` in a subprocess; ``url`` once it answers."""

    def __init__(self, *arguments: str, ca_certificate: str | None = None, own_group: bool = False):
        """``ca_certificate``: the CA that signed the server's certificate, when ``arguments`` serve HTTPS;
        ``own_group``: in a process group of its own, so that :meth:`kill` reaches its workers too."""
        # The log goes to a file: a pipe nobody reads could fill up and stall the server.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.own_group = own_group
        self.process = subprocess.Popen(
            [sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0", "--log-level", "warning", *arguments],
            stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT, start_new_session=own_group)
        first = self.process.stdout.readline()
        found = re.search(r"serving on (https?://\S+) ", first)
        if not found:
            self.stop()
            raise AssertionError(f"unexpected start-up output: {first!r} {self.errors()}")
        self.first_line = first
        self.url = found.group(1)
        session = requests.Session()
        session.trust_env = False  # this machine may set REQUESTS_CA_BUNDLE
        session.verify = ca_certificate or True
        deadline = time.monotonic() + 30
        while True:
            try:
                if session.get(self.url + "/_admin/ready", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise AssertionError(f"the server did not get ready: {self.errors()}")
            time.sleep(0.1)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL to the server and, when it has a group of its own, to its workers, all at once."""
        if self.own_group:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group outlives its leader while workers run
            except ProcessLookupError:
                pass
        elif self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class Messages:
    """Request envelopes built by zeep from our WSDLs (built once; posted by hand from many threads)."""

    def __init__(self):
        self.correspondence = zeep.Client(str(ROOT / "wsdl/CorrespondenceAgencyExternalBasic.wsdl"))
        self.receipt = zeep.Client(str(ROOT / "wsdl/ReceiptAgencyExternalBasic.wsdl"))

    @staticmethod
    def _build(client, operation: str, **arguments) -> tuple[bytes, str]:
        envelope = client.create_message(client.service, operation, **arguments)
        for header in envelope.findall("{http://schemas.xmlsoap.org/soap/envelope/}Header"):
            envelope.remove(header)
        action = client.service._binding._operations[operation].soapaction
        return etree.tostring(envelope), action

    def insert(self, reference: str, password: str = "ttd-password") -> tuple[bytes, str]:
        return self._build(
            self.correspondence, "InsertCorrespondenceBasicV2", systemUserName="ttd-system",
            systemPassword=password, SystemUserCode="TTD", ExternalShipmentReference=reference,
            Correspondence={"ServiceCode": "4255", "ServiceEdition": "10", "Reportee": OLA, "Content": {
                "LanguageCode": "1044", "MessageTitle": "Vedtak", "MessageSummary": "Sammendrag",
                "MessageBody": "Brødtekst"},
                "Notifications": {"Notification": [{
                    "LanguageCode": "1044", "NotificationType": "TokenTextOnly",
                    "TextTokens": {"TextToken": [{"TokenNum": 0, "TokenValue": "Emne"},
                                                 {"TokenNum": 1, "TokenValue": "Tekst"}]},
                    "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Both"}]}}]}})

    def update_receipt(self, receipt_id: int, text: str) -> tuple[bytes, str]:
        return self._build(self.receipt, "UpdateReceiptBasic", systemUserName="ttd-system",
                           systemPassword="ttd-password",
                           receipt={"ReceiptId": receipt_id, "ReceiptStatus": "OK", "ReceiptText": text})

    def get_receipt(self, receipt_id: int) -> tuple[bytes, str]:
        return self._build(self.receipt, "GetReceiptBasicV2", systemUserName="ttd-system",
                           systemPassword="ttd-password", receipt={"ReceiptId": receipt_id})


def post(server: str, path: str, message: tuple[bytes, str]) -> etree._Element:
    """One call on a connection of its own (so that calls spread over the workers); the parsed answer."""
    body, action = message
    response = requests.post(server + path, data=body, timeout=30,
                             headers={"Content-Type": SOAP11, "SOAPAction": f'"{action}"', "Connection": "close"})
    return etree.fromstring(response.content)


def text_of(answer: etree._Element, local: str) -> str | None:
    found = answer.xpath(f"//*[local-name()='{local}']")
    return found[0].text if found else None
