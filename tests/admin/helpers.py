"""What the admin tests share: the admin API over HTTP, zeep clients built from our WSDLs, raw SOAP requests."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Callable

import requests
import zeep
from zeep.wsse.username import UsernameToken

from altinn_so.domain.auth import AuthMode
from altinn_so.services import SERVICES
from altinn_so.services.broker.rules import Initiation
from altinn_so.services.prefill.rules import InstantiateOptions, PrefillFormRequest, PrefillTaskRequest
from altinn_so.services.srr import RightRule
from altinn_so.services.subscription.rules import SubscriptionRequest
from support.soap import OLA, altinn_fault, notification

KARI = "05838520067"  # seeded person with an e-mail address only
RESERVED = "17856230120"  # reserved in KRR
TTD_ORGNO = "310001007"
ETT_ORGNO = "310002003"
JSON = "application/json; charset=utf-8"

# Each registered service's endpoint path on each of its bindings (its first contract's, by the service's key).
PATHS = {service.key: {binding: service.contracts[0].endpoint(binding).path for binding in service.contracts[0].bindings}
         for service in SERVICES if service.contracts}
OP_SUFFIX = {"basic": "Basic", "ws": "", "ec": "EC", "ec2": "EC", "aec": "AEC", "aec2": "AEC"}
PASSWORDS = {"ttd-system": "ttd-password", "ett-system": "ett-password"}

__all__ = ["SOAP11", "TEST_ACTION", "TEST_BODY", "envelope11", "raw_test", "OLA", "KARI", "RESERVED", "TTD_ORGNO",
           "ETT_ORGNO", "JSON", "PATHS", "AdminApi", "Soap",
           "altinn_fault", "notification", "path_of", "wait_for", "message"]


SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP11 = {"Content-Type": "text/xml; charset=utf-8"}
TEST_ACTION = "http://www.altinn.no/services/2009/10/IAltinnContractBase/Test"
TEST_BODY = '<Test xmlns="http://www.altinn.no/services/2009/10"/>'


def envelope11(body: str) -> bytes:
    return f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


def raw_test(http, base_url: str, service: str = "notification") -> requests.Response:
    """The Test operation on a Basic endpoint, by hand (cheaper than zeep when a test makes many calls)."""
    return http.post(base_url + path_of(service), data=envelope11(TEST_BODY),
                     headers={**SOAP11, "SOAPAction": f'"{TEST_ACTION}"'}, timeout=10)


def path_of(service: str, binding: str = "basic") -> str:
    return PATHS[service][binding]


def wait_for(predicate: Callable[[], object], timeout: float = 3.0):
    """Poll until ``predicate`` returns something truthy (the server may still be finishing a call whose
    connection it dropped) and return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


class AdminApi:
    """The JSON admin API under /_admin, over real HTTP. Every JSON answer is checked for its content type."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.url = base_url + "/_admin"
        self.http = requests.Session()

    def call(self, method: str, path: str, *, expect: int | None = None, **kwargs) -> requests.Response:
        response = self.http.request(method, self.url + path, timeout=10, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text[:1000])
        return response

    def json(self, method: str, path: str, expect: int = 200, **kwargs):
        response = self.call(method, path, expect=expect, **kwargs)
        assert response.headers["Content-Type"] == JSON, response.headers
        assert "Traceback" not in response.text
        assert int(response.headers["Content-Length"]) == len(response.content)
        return response.json()

    def get(self, path: str, expect: int = 200, **kwargs):
        return self.json("GET", path, expect, **kwargs)

    def post(self, path: str, expect: int = 200, **kwargs):
        return self.json("POST", path, expect, **kwargs)

    def put(self, path: str, expect: int = 200, **kwargs):
        return self.json("PUT", path, expect, **kwargs)

    def delete(self, path: str, expect: int = 200, **kwargs):
        return self.json("DELETE", path, expect, **kwargs)

    def error(self, method: str, path: str, status: int, **kwargs) -> str:
        """An error answer: the status, JSON {"error": message} and nothing else; returns the message."""
        body = self.json(method, path, status, **kwargs)
        assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"], body
        return body["error"]

    # -- shortcuts -------------------------------------------------------------------------------------

    def journal(self, **params) -> list[dict]:
        return self.get("/journal", params=params)["entries"]

    def outbox(self, **params) -> list[dict]:
        return self.get("/outbox", params=params)["messages"]

    def state(self, kind: str) -> list[dict]:
        return self.get(f"/state/{kind}")[kind]

    def rules(self) -> list[dict]:
        return self.get("/faults")["rules"]

    def add_fault(self, action: dict, *, times: int | None = 1, when: str = "before", **match) -> dict:
        return self.post("/faults", 201, json={"match": match, "action": action, "times": times, "when": when})

    def clock(self) -> dict:
        return self.get("/clock")


def message(reportee: str = OLA, transport: str = "Both", template: str = "VarselDPVMedRevarsel",
            title: str = "Vedtak", token: str = "Testdepartementet", service: str = "5678", **extra) -> dict:
    """A correspondence for zeep (V2 contract), with one notification."""
    return {
        "ServiceCode": service, "ServiceEdition": "1", "Reportee": reportee,
        "Content": {"LanguageCode": "1044", "MessageTitle": title, "MessageSummary": "Du har fått vedtak",
                    "MessageBody": "<p>Hei</p>"},
        "Notifications": {"Notification": [
            {"LanguageCode": "1044", "NotificationType": template,
             "TextTokens": {"TextToken": [{"TokenValue": token}]},
             "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": transport}]}}]},
        **extra,
    }


_CLIENTS: dict[tuple, zeep.Client] = {}


class Soap:
    """SOAP calls with zeep clients built from our WSDLs (cached for the session: the server's address does
    not change, only the emulator behind it). Knows where each binding wants its credentials."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def client(self, service: str, binding: str = "basic", username: str = "ttd-system",
               password: str | None = None, orgno: str = TTD_ORGNO) -> zeep.Client:
        password = PASSWORDS.get(username, "x") if password is None else password
        key = (self.base_url, service, binding, username if binding == "ws" else None,
               password if binding == "ws" else None, orgno if binding.startswith("aec") else None)
        if key not in _CLIENTS:
            wsse = UsernameToken(username, password) if binding == "ws" else None
            client = zeep.Client(self.base_url + path_of(service, binding) + "?wsdl", wsse=wsse)
            if binding.startswith("aec"):
                client.transport.session.headers["X-Enterprise-Certificate-OrgNo"] = orgno
            _CLIENTS[key] = client
        return _CLIENTS[key]

    def _call(self, service: str, operation: str, binding: str, username: str, password: str | None,
              orgno: str = TTD_ORGNO, version: int = 1, wire_name: str | None = None, **kwargs):
        password = PASSWORDS.get(username, "x") if password is None else password
        client = self.client(service, binding, username, password, orgno)
        name = wire_name or operation + OP_SUFFIX[binding] + (f"V{version}" if version > 1 else "")
        if binding in ("basic", "ec", "ec2"):
            kwargs = {"systemUserName": username, "systemPassword": password, **kwargs}
        return getattr(client.service, name)(**kwargs)

    def test(self, service: str = "notification", binding: str = "basic"):
        return self.client(service, binding).service.Test()

    def notify(self, *notifications: dict, binding: str = "basic", version: int = 3,
               username: str = "ttd-system", password: str | None = None):
        item = "StandaloneNotificationV2" if version == 4 else "StandaloneNotification"
        return self._call("notification", "SendStandaloneNotification", binding, username, password,
                          version=version,
                          standaloneNotifications={item: list(notifications or [notification()])})

    def insert(self, reference: str, *, binding: str = "basic", version: int = 2, username: str = "ttd-system",
               password: str | None = None, orgno: str = TTD_ORGNO, **correspondence):
        kwargs = {"ExternalShipmentReference": reference, "Correspondence": message(**correspondence)}
        if not binding.startswith("aec"):
            kwargs["SystemUserCode"] = username.split("-")[0].upper()
        wire_name = "InsertCorrespondenceEC" if binding in ("ec", "ec2") and version == 2 else None
        return self._call("correspondence", "InsertCorrespondence", binding, username, password, orgno,
                          version=version, wire_name=wire_name, **kwargs)

    def status(self, *, binding: str = "basic", service_code: str = "5678", username: str = "ttd-system",
               **criteria):
        """GetCorrespondenceStatusDetails V3: the StatusV2 list."""
        result = self._call("correspondence", "GetCorrespondenceStatusDetails", binding, username, None,
                            version=3, filterCriteria={"ServiceCode": service_code, "ServiceEditionCode": 1,
                                                       **criteria})
        details = result.CorrespondenceStatusInformation.CorrespondenceStatusDetailsList
        return details.StatusV2 if details is not None else []

    def get_receipt(self, receipt_id: int, *, binding: str = "basic"):
        return self._call("receipt", "GetReceipt", binding, "ttd-system", None, version=2,
                          receipt={"ReceiptId": receipt_id})


def prefill(emulator):
    """TTD prefills and instantiates a form task for Ola (in-process, through the domain)."""
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    now = emulator.clock.now()
    task = PrefillTaskRequest(service_code="5679", service_edition=1, shipment_reference="ship-A", reportee=OLA,
                              system_user_code="TTD_PREFILL", valid_from=now, valid_to=now + timedelta(days=9),
                              identity_fields=[("1", "2026-03")],
                              forms=[PrefillFormRequest("5703", 34301, "<Skjema/>")])
    return emulator.prefill.submit(caller, "batch-A", task, InstantiateOptions(save=True, instantiate=True))


def subscribe(emulator):
    """TTD subscribes Ola to its form service 5679/1 weekly, first due a day from now (in-process)."""
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    now = emulator.clock.now()
    return emulator.subscription.submit(caller, "batch-A", "TTD_S", [SubscriptionRequest(
        reportee=OLA, service_code="5679", service_edition=1, period_type="Weekly", start_at=now,
        schedule_at=now + timedelta(days=1), due_at=now + timedelta(days=3))])


def broker_shipment(emulator):
    """TTD initiates a broker shipment to Etaten, given both parties' rights in the register (in-process)."""
    for reportee, right in (("310001007", "Write"), ("310002003", "Read")):
        emulator.srr_store.put(RightRule.from_seed({"service": "5690:1", "reportee": reportee, "right": right,
                                                    "valid_to": "2030-01-01T00:00:00Z"}))
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    return emulator.broker.initiate(caller, Initiation("5690", 1, "send-A", "310001007", ("310002003",)))
