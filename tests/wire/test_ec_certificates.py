"""EC/EC2 over real HTTPS: the enterprise certificate of the calling system's service owner is required
in addition to the body credentials. Basic and WS are unaffected by TLS."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from altinn_so.certs import generate_certificates, write_untrusted_enterprise_certificate
from altinn_so.domain.catalog import ServiceOwner
from altinn_so.emulator import Emulator
from altinn_so.seeding import default_seed
from altinn_so.server import make_server
from altinn_so.soap.wsgi import SoapApplication, WireSettings

from support.processes import ROOT, ServerProcess
from support.soap import altinn_fault, notification


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    directory = tmp_path_factory.mktemp("certs")
    seed = default_seed()
    # Eksempel AS gets an enterprise certificate too, but is no service owner.
    not_an_owner = ServiceOwner(code="EKS", orgno="310003018", name="Eksempel AS")
    certificates = generate_certificates(directory, [*seed.owners.values(), not_an_owner])
    untrusted = write_untrusted_enterprise_certificate(directory, seed.owners["TTD"])
    emulator = Emulator(seed=seed)
    app = SoapApplication(emulator, settings=WireSettings(require_client_certificates=True))
    server = make_server(app, "127.0.0.1", 0, threads=4, tls=certificates.tls_settings())
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    yield {"base": f"https://localhost:{server.bind_addr[1]}", "certs": certificates, "untrusted": untrusted,
           "emulator": emulator}
    server.stop()
    emulator.close()


def client(tls, suffix: str, cert=None, wsse=None, service="NotificationAgencyExternal") -> zeep.Client:
    session = requests.Session()
    session.trust_env = False  # this machine sets REQUESTS_CA_BUNDLE
    session.verify = str(tls["certs"].ca_certificate)
    session.cert = str(cert) if cert else None
    url = f"{tls['base']}/ServiceEngineExternal/{service}{suffix}.svc"
    return zeep.Client(url + "?wsdl", transport=Transport(session=session), wsse=wsse)


def send(zeep_client: zeep.Client, password="ttd-password"):
    return zeep_client.service.SendStandaloneNotificationECV2(
        systemUserName="ttd-system", systemPassword=password,
        standaloneNotifications={"StandaloneNotification": [notification()]})


@pytest.mark.parametrize("suffix", ["EC", "EC2"])
def test_the_owners_certificate_and_password_are_accepted(tls, suffix):
    assert send(client(tls, suffix, tls["certs"].owner("TTD").bundle)) == "Varsel er sendt ut til brukeren."


@pytest.mark.parametrize("suffix", ["EC", "EC2"])
def test_another_owners_certificate_is_error_5(tls, suffix):
    zeep_client = client(tls, suffix, tls["certs"].owner("ETT").bundle)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        send(zeep_client)
    fault = altinn_fault(zeep_client, caught.value)
    assert fault["ErrorID"] == 5 and "310002003" in fault["AltinnErrorMessage"]


def test_no_certificate_is_error_5(tls):
    zeep_client = client(tls, "EC2")
    with pytest.raises(zeep.exceptions.Fault) as caught:
        send(zeep_client)
    assert altinn_fault(zeep_client, caught.value)["ErrorID"] == 5


def test_wrong_password_with_a_certificate_is_error_5(tls):
    zeep_client = client(tls, "EC2", tls["certs"].owner("TTD").bundle)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        send(zeep_client, password="wrong")
    assert altinn_fault(zeep_client, caught.value)["ErrorID"] == 5


def test_missing_password_is_still_989(tls):
    zeep_client = client(tls, "EC2", tls["certs"].owner("TTD").bundle)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        send(zeep_client, password="")
    assert altinn_fault(zeep_client, caught.value)["ErrorID"] == 989


def test_an_untrusted_certificate_fails_the_tls_handshake_and_the_server_carries_on(tls):
    session = requests.Session()
    session.trust_env = False
    session.verify = str(tls["certs"].ca_certificate)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(tls["base"] + "/ServiceEngineExternal/NotificationAgencyExternalEC2.svc?wsdl",
                    cert=str(tls["untrusted"].bundle))
    assert send(client(tls, "EC2", tls["certs"].owner("TTD").bundle)) == "Varsel er sendt ut til brukeren."


def test_basic_and_ws_need_no_certificate_over_tls(tls):
    basic = client(tls, "Basic")
    assert basic.service.SendStandaloneNotificationBasicV2(
        systemUserName="ttd-system", systemPassword="ttd-password",
        standaloneNotifications={"StandaloneNotification": [notification()]}) == "Varsel er sendt ut til brukeren."
    ws = client(tls, "", wsse=UsernameToken("ttd-system", "ttd-password"))
    assert ws.service.SendStandaloneNotificationV2(
        standaloneNotifications={"StandaloneNotification": [notification()]}) == "Varsel er sendt ut til brukeren."


def test_wsdl_over_https_points_back_at_https(tls):
    zeep_client = client(tls, "EC2")
    address = zeep_client.service._binding_options["address"]
    assert address.startswith(tls["base"])


# -- correspondence: EC2 with certificate and password, AEC2 with the certificate alone --------------------

def insert(zeep_client: zeep.Client, operation: str, **credentials):
    correspondence = {"ServiceCode": "5678", "ServiceEdition": "1", "Reportee": "23917710120",
                      "Content": {"LanguageCode": "1044", "MessageTitle": "T", "MessageSummary": "S",
                                  "MessageBody": "B"}}
    return getattr(zeep_client.service, operation)(ExternalShipmentReference="TLS-1", Correspondence=correspondence,
                                                   **credentials)


def test_ec2_insert_with_the_owners_certificate(tls):
    zeep_client = client(tls, "EC2", tls["certs"].owner("TTD").bundle, service="CorrespondenceAgencyExternal")
    receipt = insert(zeep_client, "InsertCorrespondenceEC", systemUserName="ttd-system", systemPassword="ttd-password",
                     SystemUserCode="TTD")
    assert receipt.ReceiptStatusCode == "OK"


@pytest.mark.parametrize("owner, expected", [("TTD", "OK"), ("ETT", 5), ("EKS", 5), (None, 5)])
def test_aec2_authenticates_by_certificate_alone(tls, owner, expected):
    """TTD's certificate may send for TTD's service; ETT's may not; Eksempel AS is no service owner."""
    cert = tls["certs"].owner(owner).bundle if owner else None
    zeep_client = client(tls, "AEC2", cert, service="CorrespondenceAgencyExternal")
    if expected == "OK":
        assert insert(zeep_client, "InsertCorrespondenceAECV2").ReceiptStatusCode == "OK"
        return
    with pytest.raises(zeep.exceptions.Fault) as caught:
        insert(zeep_client, "InsertCorrespondenceAECV2")
    assert altinn_fault(zeep_client, caught.value)["ErrorID"] == expected


def test_aec2_over_tls_ignores_the_lenient_org_header(tls):
    zeep_client = client(tls, "AEC2", service="CorrespondenceAgencyExternal")
    zeep_client.transport.session.headers["X-Enterprise-Certificate-OrgNo"] = "310001007"
    with pytest.raises(zeep.exceptions.Fault) as caught:
        insert(zeep_client, "InsertCorrespondenceAECV2")
    assert altinn_fault(zeep_client, caught.value)["ErrorID"] == 5


def test_aec2_with_an_untrusted_certificate_fails_the_handshake(tls):
    with pytest.raises(requests.exceptions.ConnectionError):
        client(tls, "AEC2", tls["untrusted"].bundle, service="CorrespondenceAgencyExternal")


# -- with worker processes: each one reads the caller's certificate itself ------------------------------------


@pytest.fixture(scope="module")
def workers_over_tls(tmp_path_factory):
    directory = tmp_path_factory.mktemp("worker-certs")
    subprocess.run([sys.executable, "-m", "altinn_so.cli", "certs", "--out", str(directory)], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    process = ServerProcess("--workers", "2", "--threads", "2", "--tls-cert", str(directory / "server.pem"),
                            "--tls-key", str(directory / "server-key.pem"), "--tls-client-ca", str(directory / "ca.pem"),
                            ca_certificate=str(directory / "ca.pem"))
    try:
        yield process.url, directory
    finally:
        process.stop()


def test_with_worker_processes_the_owners_certificate_is_read_in_each_of_them(workers_over_tls):
    base, directory = workers_over_tls

    def session_of(owner: str | None) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(directory / "ca.pem")
        session.cert = str(directory / f"{owner}-bundle.pem") if owner else None
        session.headers["Connection"] = "close"  # each call on a new connection: both workers take some
        return session

    wsdl = f"{base}/ServiceEngineExternal/NotificationAgencyExternalEC2.svc?wsdl"
    owner, other = (zeep.Client(wsdl, transport=Transport(session=session_of(code))) for code in ("ttd", "ett"))
    health, processes, rounds = session_of(None), set(), 0
    while len(processes) < 2 or rounds < 6:  # until both workers have answered, calls interleaved with theirs
        rounds += 1
        assert rounds <= 100, f"the calls reached one worker only: {processes}"
        processes.add(health.get(base + "/_admin/health", timeout=10).json()["process"])
        assert send(owner) == "Varsel er sendt ut til brukeren."
        with pytest.raises(zeep.exceptions.Fault) as caught:
            send(other)
        assert altinn_fault(other, caught.value)["ErrorID"] == 5
