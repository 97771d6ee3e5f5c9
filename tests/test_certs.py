"""The local test CA (altinn_so.certs): what it issues, and a real TLS round trip through cheroot."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import stat
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from altinn_so import certs
from altinn_so.domain.catalog import ServiceOwner
from altinn_so.server import TlsSettings, make_server
from altinn_so.soap.security import client_certificate_orgno, organisation_number

TTD = ServiceOwner(code="TTD", orgno="310001007", name="Testdepartementet")
ETT = ServiceOwner(code="ETT", orgno="310002003", name="Etaten for testing")


def _load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify_chain(leaf: x509.Certificate, ca: x509.Certificate, *, client: bool) -> None:
    """Path validation with cryptography's verifier when it has one, else the issuer signature."""
    leaf.verify_directly_issued_by(ca)
    try:
        from cryptography.x509 import verification
    except ImportError:
        return
    builder = verification.PolicyBuilder().store(verification.Store([ca]))
    if client:
        if not hasattr(builder, "build_client_verifier") or not hasattr(verification, "ExtensionPolicy"):
            return
        # The web-PKI profile wants a subjectAltName on every leaf; enterprise certificates have none.
        ee_policy = verification.ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, verification.Criticality.AGNOSTIC, None)
        verifier = builder.extension_policies(ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                                              ee_policy=ee_policy).build_client_verifier()
    else:
        verifier = builder.build_server_verifier(verification.DNSName("localhost"))
    chain = verifier.verify(leaf, [])
    chain = getattr(chain, "chain", chain)  # VerifiedClient.chain, or the server verifier's list
    assert chain[0] == leaf and chain[-1] == ca


def _attributes(name: x509.Name, oid) -> list[str]:
    return [str(a.value) for a in name.get_attributes_for_oid(oid)]


# --- What the CA issues ------------------------------------------------------------------------------

@pytest.mark.parametrize("profiles", [(certs.SEID1,), (certs.SEID2,), (certs.SEID1, certs.SEID2)],
                         ids=["seid1", "seid2", "both"])
def test_org_number_round_trips_through_the_security_layer(profiles):
    ca = certs.create_ca()
    issued = certs.create_enterprise_certificate(ca, "310001007", "Testdepartementet", profiles=profiles)
    subject = issued.certificate.subject

    assert organisation_number(issued.certificate) == "310001007"
    assert _attributes(subject, NameOID.SERIAL_NUMBER) == (["310001007"] if certs.SEID1 in profiles else [])
    assert _attributes(subject, NameOID.ORGANIZATION_IDENTIFIER) == (
        ["NTRNO-310001007"] if certs.SEID2 in profiles else [])
    assert _attributes(subject, NameOID.COUNTRY_NAME) == ["NO"]
    assert _attributes(subject, NameOID.ORGANIZATION_NAME) == ["Testdepartementet"]
    assert _attributes(subject, NameOID.COMMON_NAME) == ["Testdepartementet"]


def test_generated_files_chain_to_the_ca(tmp_path):
    issued = certs.generate_certificates(tmp_path, [TTD, ETT], hosts=["altinn.test", "10.0.0.5"])
    ca = _load(issued.ca_certificate)

    assert issued.ca_created
    assert ca.subject.rfc4514_string() == "CN=altinn-so test CA,O=altinn-so"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).critical
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    ca.verify_directly_issued_by(ca)

    server_chain = x509.load_pem_x509_certificates(issued.server_certificate.read_bytes())
    assert server_chain[1:] == [ca]
    server = server_chain[0]
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "altinn.test"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address(a) for a in ("127.0.0.1", "::1", "10.0.0.5")]
    assert server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == \
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
    _verify_chain(server, ca, client=False)

    assert set(issued.owners) == {"ttd", "ett"}
    for owner in (TTD, ETT):
        files = issued.owner(owner.code)
        assert files.certificate.name == f"{owner.code.lower()}.pem"
        assert files.private_key.name == f"{owner.code.lower()}-key.pem"
        assert files.bundle.name == f"{owner.code.lower()}-bundle.pem"
        leaf = _load(files.certificate)
        assert organisation_number(leaf) == owner.orgno == files.orgno
        assert leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == \
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
        assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        _verify_chain(leaf, ca, client=True)
        # The bundle is this certificate followed by its key.
        bundle = files.bundle.read_bytes()
        assert x509.load_pem_x509_certificate(bundle) == leaf
        key = serialization.load_pem_private_key(files.private_key.read_bytes(), password=None)
        assert key.public_key() == leaf.public_key()
        assert files.private_key.read_bytes() in bundle


def test_rerunning_keeps_the_ca_and_earlier_certificates_stay_valid(tmp_path):
    first = certs.generate_certificates(tmp_path, [TTD])
    ca_pem, ca_key_pem = first.ca_certificate.read_bytes(), first.ca_key.read_bytes()
    old_ttd = _load(first.owner("ttd").certificate)

    second = certs.generate_certificates(tmp_path, [TTD, ETT])

    assert not second.ca_created
    assert second.ca_certificate.read_bytes() == ca_pem
    assert second.ca_key.read_bytes() == ca_key_pem
    assert set(second.owners) == {"ttd", "ett"}
    ca = _load(second.ca_certificate)
    _verify_chain(old_ttd, ca, client=True)
    _verify_chain(_load(second.owner("ett").certificate), ca, client=True)
    _verify_chain(x509.load_pem_x509_certificates(second.server_certificate.read_bytes())[0], ca, client=False)


def test_a_half_present_or_mismatched_ca_is_refused(tmp_path):
    issued = certs.generate_certificates(tmp_path / "a", [TTD])
    other = certs.generate_certificates(tmp_path / "b", [])

    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "ca.pem").write_bytes(issued.ca_certificate.read_bytes())
    with pytest.raises(certs.CertificateError, match="ca-key.pem"):
        certs.generate_certificates(lone, [TTD])

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "ca.pem").write_bytes(issued.ca_certificate.read_bytes())
    (mixed / "ca-key.pem").write_bytes(other.ca_key.read_bytes())
    with pytest.raises(certs.CertificateError, match="not the private key"):
        certs.generate_certificates(mixed, [TTD])


def test_bad_owners_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(certs.CertificateError, match="organisation number"):
        certs.generate_certificates(tmp_path / "x", [ServiceOwner(code="BAD", orgno="123456789", name="Bad")])
    with pytest.raises(certs.CertificateError, match="cannot name"):
        certs.generate_certificates(tmp_path / "y", [ServiceOwner(code="CA", orgno="310001007", name="CA")])
    with pytest.raises(certs.CertificateError, match="twice"):
        certs.generate_certificates(tmp_path / "z", [TTD, ServiceOwner(code="ttd", orgno="310002003", name="x")])
    assert not any((tmp_path / d).exists() for d in "xyz")


def test_leaf_certificates_never_outlive_the_ca():
    ca = certs.create_ca(valid_days=10)
    leaf = certs.create_enterprise_certificate(ca, "310001007", "Testdepartementet", valid_days=825).certificate
    assert leaf.not_valid_after_utc == ca.certificate.not_valid_after_utc
    assert leaf.not_valid_before_utc <= datetime.now(timezone.utc) - timedelta(minutes=30)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_each_owner_gets_an_rsa_encryption_certificate_beside_the_authentication_one(tmp_path):
    """The download queue encrypts an encrypted service's data to it (docs/behaviour/download-queue.md)."""
    issued = certs.generate_certificates(tmp_path, [TTD])
    files = issued.owner("ttd")
    assert (files.encryption_certificate.name, files.encryption_key.name) == ("ttd-encryption.pem",
                                                                            "ttd-encryption-key.pem")
    certificate = _load(files.encryption_certificate)
    assert isinstance(certificate.public_key(), rsa.RSAPublicKey) and certificate.public_key().key_size == 2048
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_encipherment and usage.data_encipherment and not usage.digital_signature
    assert organisation_number(certificate) == TTD.orgno
    assert certificate.public_key() != _load(files.certificate).public_key()
    certificate.verify_directly_issued_by(_load(issued.ca_certificate))
    key = serialization.load_pem_private_key(files.encryption_key.read_bytes(), password=None)
    assert key.public_key() == certificate.public_key()


def test_private_key_files_are_owner_only(tmp_path):
    issued = certs.generate_certificates(tmp_path, [TTD])
    untrusted = certs.write_untrusted_enterprise_certificate(tmp_path, TTD)
    private = [issued.ca_key, issued.server_key, issued.owner("ttd").private_key, issued.owner("ttd").bundle,
               issued.owner("ttd").encryption_key, untrusted.private_key, untrusted.bundle]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for path in (issued.ca_certificate, issued.server_certificate, issued.owner("ttd").certificate,
                 issued.owner("ttd").encryption_certificate):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_untrusted_certificate_names_the_org_but_does_not_chain(tmp_path):
    issued = certs.generate_certificates(tmp_path, [TTD])
    untrusted = certs.write_untrusted_enterprise_certificate(tmp_path, TTD)
    assert untrusted.certificate.name == "ttd-untrusted.pem"
    leaf = _load(untrusted.certificate)
    assert organisation_number(leaf) == "310001007"
    with pytest.raises((ValueError, TypeError)):
        leaf.verify_directly_issued_by(_load(issued.ca_certificate))


# --- A real TLS round trip through cheroot -------------------------------------------------------------

def _echo_client_orgno(environ, start_response):
    body = json.dumps({"orgno": client_certificate_orgno(environ),
                       "verify": environ.get("SSL_CLIENT_VERIFY")}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("certs")
    issued = certs.generate_certificates(directory, [TTD, ETT])
    tls = TlsSettings(str(issued.server_certificate), str(issued.server_key), client_ca=str(issued.ca_certificate))
    assert issued.tls_settings() == tls
    server = make_server(_echo_client_orgno, "127.0.0.1", 0, threads=4, tls=tls)
    # What Python 3.13's ssl.create_default_context turns on: our certificates must pass it.
    server.ssl_adapter.context.verify_flags |= ssl.VERIFY_X509_STRICT
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield issued, server.bind_addr[1]
    finally:
        server.stop()
        thread.join(5)


def _call(issued, port, cert=None, host="127.0.0.1"):
    with requests.Session() as session:
        session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify=
        response = session.get(f"https://{host}:{port}/", verify=str(issued.ca_certificate),
                               cert=str(cert) if cert else None, timeout=5)
        response.raise_for_status()
        return response.json()


def test_tls_enterprise_certificate_authenticates_the_organisation(tls_server):
    issued, port = tls_server
    assert _call(issued, port, issued.owner("ttd").bundle) == {"orgno": "310001007", "verify": "SUCCESS"}
    assert _call(issued, port, issued.owner("ett").bundle, host="localhost")["orgno"] == "310002003"
    # cert=(certificate, key) works as well as the bundle
    with requests.Session() as session:
        session.trust_env = False
        files = issued.owner("ett")
        response = session.get(f"https://127.0.0.1:{port}/", verify=str(issued.ca_certificate),
                               cert=(str(files.certificate), str(files.private_key)), timeout=5)
        assert response.json()["orgno"] == "310002003"


def test_tls_without_a_client_certificate_gets_through_unauthenticated(tls_server):
    issued, port = tls_server
    assert _call(issued, port) == {"orgno": None, "verify": "NONE"}


@pytest.mark.parametrize("ca_name", [certs.UNTRUSTED_CA_NAME, certs.DEFAULT_CA_NAME], ids=["stranger", "impostor"])
def test_tls_untrusted_certificate_fails_the_handshake(tls_server, tmp_path, ca_name):
    issued, port = tls_server
    untrusted = certs.write_untrusted_enterprise_certificate(tmp_path, TTD, ca_name=ca_name)
    with pytest.raises(requests.exceptions.ConnectionError):  # SSLError is a ConnectionError
        _call(issued, port, untrusted.bundle)
    # The server shrugs it off and keeps serving.
    assert _call(issued, port, issued.owner("ttd").bundle)["orgno"] == "310001007"


def test_tls_certificates_pass_strict_x509_checks_on_the_client_too(tls_server):
    """A plain ssl client with VERIFY_X509_STRICT (Python 3.13's default) accepts our server certificate."""
    issued, port = tls_server
    context = ssl.create_default_context(cafile=str(issued.ca_certificate))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    context.load_cert_chain(str(issued.owner("ttd").bundle))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            response = b""
            while chunk := tls.recv(65536):
                response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["orgno"] == "310001007"


def test_a_failed_write_leaves_no_temporary_files(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        certs.generate_certificates(tmp_path, [TTD])
    assert list(tmp_path.iterdir()) == []
