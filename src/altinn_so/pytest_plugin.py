"""pytest plugin: an emulated Altinn for every test.

Installed with the package (entry point ``pytest11``), it offers the fixture
``altinn_so``: the emulator running in-process on a free port, with fresh
state for each test. It gives the base URL, an admin client, zeep clients per
service and binding, and the emulator object itself::

    def test_sends_a_message(altinn_so):
        service = altinn_so.client("correspondence", "basic").service
        service.InsertCorrespondenceBasicV2(systemUserName="ttd-system", ...)
        assert altinn_so.admin.outbox()[0]["channel"] == "Email"

Options: ``--altinn-so-seed FILE`` (repeatable) or the ini setting
``altinn_so_seed`` add seed files on top of the embedded default.
``--altinn-so-admin-token TOKEN`` (or the ini setting ``altinn_so_admin_token``)
makes the in-process server require that admin token, as ``serve --admin-token``
does; ``altinn_so.admin`` sends it. Without one the server, which listens on
127.0.0.1 only, asks for none.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

# The emulator (and spyne under it) is imported by the fixtures, not here: pytest loads this plugin in every
# session of every project installed beside altinn-so, and most of those never ask for the fixture.
if TYPE_CHECKING:
    from .emulator import Emulator



class AdminError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class AdminClient:
    """The admin API (``/_admin``) over HTTP, as a test would use it from any process."""

    def __init__(self, base_url: str, token: str | None = None):
        """``token``: the server's admin token (``serve --admin-token``), sent as ``Authorization: Bearer``."""
        self.base_url = base_url.rstrip("/") + "/_admin"
        self._headers = {"Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body=None, *, raw: bool = False, **query):
        url = self.base_url + path
        query = {k: v for k, v in query.items() if v is not None}
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read() if raw else json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                message = json.loads(payload).get("error", "")
            except ValueError:
                message = payload.decode("utf-8", "replace")
            raise AdminError(error.code, message) from None

    # what a test reads
    def journal(self, **filters) -> list[dict]:
        return self.request("GET", "/journal", **filters)["entries"]

    def outbox(self, **filters) -> list[dict]:
        return self.request("GET", "/outbox", **filters)["messages"]

    def state(self, kind: str, limit: int | None = None) -> list[dict]:
        """The stored objects of ``kind``; the newest ``limit`` only when given."""
        return self.request("GET", f"/state/{kind}", limit=limit)[kind]

    # what a test makes happen
    def reset(self) -> None:
        self.request("POST", "/reset")

    def snapshot(self, label: str | None = None) -> int:
        return self.request("POST", "/snapshots", {"label": label})["id"]

    def restore(self, snapshot_id: int) -> None:
        self.request("POST", f"/snapshots/{snapshot_id}/restore")

    def load_seed(self, text: str) -> dict:
        return self.request("POST", "/seed", text.encode("utf-8"))["loaded"]

    def clock(self) -> datetime:
        return datetime.fromisoformat(self.request("GET", "/clock")["now"])

    def set_clock(self, now: datetime | str | None = None, *, frozen: bool | None = None) -> datetime:
        body = {}
        if now is not None:
            body["now"] = now.isoformat() if isinstance(now, datetime) else now
        if frozen is not None:
            body["frozen"] = frozen
        return datetime.fromisoformat(self.request("PUT", "/clock", body)["now"])

    def advance(self, **delta) -> datetime:
        return datetime.fromisoformat(self.request("POST", "/clock/advance", delta)["now"])

    def read(self, correspondence_id: int) -> dict:
        return self.request("POST", f"/correspondences/{correspondence_id}/read")

    def confirm(self, correspondence_id: int) -> dict:
        return self.request("POST", f"/correspondences/{correspondence_id}/confirm")

    # the end user in Altinn's portal (docs/behaviour/forms.md, "The end user's actions")
    def worklist(self, reportee: str) -> list[dict]:
        """The reportee's active form tasks that are visible now, oldest first."""
        return self.request("GET", f"/worklist/{urllib.parse.quote(reportee, safe='')}")["elements"]

    def element(self, element_id: int) -> dict:
        return self.request("GET", f"/elements/{element_id}")

    def set_form(self, element_id: int, data_format_id: str, xml: str) -> dict:
        """Replace a form's XML (checked now: well-formed, no ``etatid``; its schema on signing and submitting)."""
        return self.request("PUT", f"/elements/{element_id}/forms/{data_format_id}", xml.encode("utf-8"))

    def set_fields(self, element_id: int, data_format_id: str, fields: dict) -> dict:
        """Change element texts of a form, each named by a path of local names from the root, e.g.
        ``{"Skjema/Rapportor/Navn": "Eksempel AS", "Skjema/Deltaker[2]/Navn": "Kari"}``."""
        return self.request("PATCH", f"/elements/{element_id}/forms/{data_format_id}", {"fields": fields})

    def add_attachment(self, element_id: int, name: str, file_name: str, data: bytes,
                       attachment_type: str | None = None) -> dict:
        body = {"name": name, "file_name": file_name, "data": base64.b64encode(data).decode("ascii")}
        if attachment_type is not None:
            body["attachment_type"] = attachment_type
        return self.request("POST", f"/elements/{element_id}/attachments", body)

    def attachment(self, element_id: int, attachment_id: int) -> bytes:
        """An attachment's content."""
        return self.request("GET", f"/elements/{element_id}/attachments/{attachment_id}", raw=True)

    def sign(self, element_id: int, signer: str, security_level: int | None = None) -> dict:
        return self.request("POST", f"/elements/{element_id}/sign",
                            _given(signer=signer, security_level=security_level))

    def submit(self, element_id: int, submitter: str | None = None, security_level: int | None = None,
               metadata: dict | None = None) -> dict:
        """Submit the form task: the archived task, with its ``archive_reference``."""
        return self.request("POST", f"/elements/{element_id}/submit",
                            _given(submitter=submitter, security_level=security_level, metadata=metadata))

    def archived(self, archive_reference: str) -> dict:
        """An archived form task, with its shipment status log."""
        return self.request("GET", f"/archive/{archive_reference}")

    def add_fault(self, action: dict, *, times: int | None = 1, when: str = "before", **match) -> dict:
        """E.g. ``add_fault({"type": "altinn_fault", "preset": "non-functional"},
        operation="InsertCorrespondence")``."""
        return self.request("POST", "/faults", {"match": match, "action": action, "times": times, "when": when})

    def clear_faults(self) -> None:
        self.request("DELETE", "/faults")

    def deliver(self) -> dict:
        return self.request("POST", "/outbox/deliver")

    # the push to the service owners' receivers (docs/behaviour/push.md)
    def push(self) -> list[dict]:
        """A round of pushes now (after the one the server's timer may be in): the attempts made."""
        return self.request("POST", "/push/round")["attempts"]

    def pushes(self) -> list[dict]:
        """Every push, oldest first: its receiver, sequence number, state, mode and attempts made."""
        return self.request("GET", "/state/pushes")["pushes"]

    def push_attempts(self, push_id: int) -> list[dict]:
        """The attempts of one push, with the request as sent (its base64 described) and the reply."""
        return self.request("GET", f"/pushes/{push_id}")["attempts"]

    def retry_push(self, push_id: int) -> list[dict]:
        """Retry now: the head of the push's receiver is made due, then a round: the attempts made."""
        return self.request("POST", f"/pushes/{push_id}/retry")["attempts"]

    # collaboration cases (docs/behaviour/cases.md)
    def case(self, case_id: int) -> dict:
        """A case with its state, notice and the events it was told of."""
        return self.request("GET", f"/cases/{case_id}")

    def archive_case(self, case_id: int) -> dict:
        """Archive a case: it leaves the running ones (GetCaseList by its id is 60014 from now on)."""
        return self.request("POST", f"/cases/{case_id}/archive")

    def delete_case(self, case_id: int) -> dict:
        """Delete a case (60015 by its id; its elements are deleted with it for SetNotice, 60018)."""
        return self.request("POST", f"/cases/{case_id}/delete")

    # the batch interface without SFTP (docs/behaviour/batch-logging.md, "Admin API")
    def upload_batch(self, owner: str, system: str, file_name: str, data: bytes) -> dict:
        """A batch file as if ``system`` had put it in ``owner``'s inbound folder: the batch, waiting to be read."""
        return self.request("POST", "/batches", data, owner=owner, system=system, file_name=file_name)

    def process_batches(self) -> list[dict]:
        """Read every batch that waits now (after the round the server's timer may be in): the batches read."""
        return self.request("POST", "/batches/process")["batches"]

    def batch(self, batch_id: int) -> dict:
        """A batch with its ``data_items`` and ``issues``."""
        return self.request("GET", f"/batches/{batch_id}")

    def outbound_files(self, owner: str) -> list[dict]:
        """The files in ``owner``'s outbound folder that it has not deleted, oldest first."""
        return self.request("GET", f"/outbound/{urllib.parse.quote(owner, safe='')}")["files"]

    def outbound_file(self, owner: str, name: str) -> bytes:
        """One outbound file's bytes."""
        return self.request("GET", f"/outbound/{urllib.parse.quote(owner, safe='')}/"
                                   f"{urllib.parse.quote(name, safe='')}", raw=True)

    # the link service's temp keys (docs/behaviour/authorization.md, "Temp keys")
    def mint_temp_key(self, person: str, reportee: str | None = None, minutes: float | None = None) -> str:
        """A temp key as the link service gives ``person`` acting for ``reportee`` (default: himself), valid for
        ``minutes`` of the emulator's clock (default 10): the GUID GetReporteeByTempKey takes once."""
        return self.request("POST", "/temp-keys", _given(person=person, reportee=reportee, minutes=minutes))["key"]


def _given(**values) -> dict:
    return {key: value for key, value in values.items() if value is not None}


class AltinnSo:
    """What the ``altinn_so`` fixture gives a test."""

    def __init__(self, base_url: str, emulator: Emulator, admin_token: str | None = None):
        self.base_url = base_url
        self.emulator = emulator
        self.admin = AdminClient(base_url, admin_token)

    def url(self, service: str, binding: str = "basic") -> str:
        """The endpoint URL of ``service`` on ``binding``: a service's key (``correspondence``, ``receipt``,
        ``notification``: see ``altinn_so.services``) or a contract's name (``CorrespondenceAgencyExternal``)."""
        for offered in self.emulator.services:
            for contract in offered.contracts:
                if service in (offered.key, contract.name) and binding in contract.bindings:
                    return self.base_url + contract.endpoint(binding).path
        raise ValueError(f"no {service} endpoint on the {binding} binding; services: "
                         f"{', '.join(s.key for s in self.emulator.services)}")

    def client(self, service: str, binding: str = "basic", *, username: str = "ttd-system",
               password: str = "ttd-password", orgno: str = "310001007"):
        """A zeep client built from the emulator's WSDL; WS clients carry a UsernameToken, AEC clients the
        lenient-mode organisation header (``orgno``)."""
        import zeep
        from zeep.wsse.username import UsernameToken

        client = zeep.Client(self.url(service, binding) + "?wsdl",
                             wsse=UsernameToken(username, password) if binding == "ws" else None)
        if binding.startswith("aec"):
            client.transport.session.headers["X-Enterprise-Certificate-OrgNo"] = orgno
        return client


class _Served:
    """The session server's app; each test plugs a fresh emulator in."""

    def __init__(self):
        self.app = None
        self.admin_token: str | None = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def pytest_addoption(parser):
    group = parser.getgroup("altinn-so")
    group.addoption("--altinn-so-seed", action="append", default=[], metavar="FILE",
                    help="seed file for the altinn_so fixture, on top of the embedded default (repeatable)")
    group.addoption("--altinn-so-admin-token", default=None, metavar="TOKEN",
                    help="admin token the altinn_so fixture's server requires (default: none)")
    parser.addini("altinn_so_seed", "seed files for the altinn_so fixture", type="linelist", default=[])
    parser.addini("altinn_so_admin_token", "admin token the altinn_so fixture's server requires", default="")


@pytest.fixture(scope="session")
def altinn_so_server(request):
    """One HTTP server for the session; ``altinn_so`` gives each test its own emulator behind it."""
    from .seeding import compose_seed
    from .server import make_server
    from .services import SERVICES

    files = list(request.config.getini("altinn_so_seed")) + list(request.config.getoption("altinn_so_seed"))
    seed = compose_seed(files, services=SERVICES)
    served = _Served()
    served.admin_token = request.config.getoption("altinn_so_admin_token") or \
        request.config.getini("altinn_so_admin_token") or None
    server = make_server(served, "127.0.0.1", 0, threads=8)
    server.prepare()
    thread = threading.Thread(target=server.serve, name="altinn-so", daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.bind_addr[1]}", seed
    finally:
        server.stop()


@pytest.fixture
def altinn_so(altinn_so_server) -> AltinnSo:
    from .app import EmulatorApp
    from .emulator import Emulator, Settings

    from .scheduler import DueWorkScheduler

    served, base_url, seed = altinn_so_server
    emulator = Emulator(Settings(), seed=seed)
    served.app = EmulatorApp(emulator, admin_token=served.admin_token)
    scheduler = DueWorkScheduler(emulator)  # as the server: subscriptions activate as wall-clock time passes
    scheduler.start()
    try:
        yield AltinnSo(base_url, emulator, served.admin_token)
    finally:
        scheduler.stop()
        emulator.close()
