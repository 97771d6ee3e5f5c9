"""A local test CA and the certificates the emulator's HTTPS mode needs.

Altinn's EC (enterprise certificate) endpoints authenticate the caller with a
Norwegian enterprise certificate ("virksomhetssertifikat"). Locally we issue
look-alikes from our own CA:

- ``ca.pem`` / ``ca-key.pem``: a self-signed CA. Clients trust it for the
  server (``requests``: ``verify="ca.pem"``); the server trusts it for client
  certificates (``TlsSettings(client_ca="ca.pem")``).
- ``server.pem`` (certificate + CA) / ``server-key.pem``: valid for
  ``localhost``, ``127.0.0.1``, ``::1`` and any extra host names.
- ``<code>.pem`` / ``<code>-key.pem`` / ``<code>-bundle.pem`` per service owner
  (``code`` lower-cased): an enterprise certificate naming the organisation
  number both as ``serialNumber`` (SEID 1) and as ``organizationIdentifier``
  ``NTRNO-<orgno>`` (SEID 2), as :func:`altinn_so.soap.security.organisation_number`
  reads them. The bundle holds certificate and key in one file, for
  ``requests``' ``cert=``.
- ``<code>-encryption.pem`` / ``<code>-encryption-key.pem`` per service owner:
  its encryption certificate. Real enterprise certificates come as a pair, one
  to authenticate and sign, one to encrypt to; this one has an RSA 2048 key
  (EC keys cannot encrypt a key) with keyEncipherment usage. A seed names it
  (``encryption_certificate_file``) for the download queue's encrypted services.
- ``sftp-host-key`` / ``sftp-host-key.pub``: an Ed25519 SSH host key for
  ``serve --sftp-host-key``; made once and kept (clients remember it).

:func:`generate_certificates` writes all of them; run it again with more owners
and it reuses the CA in the directory, so certificates issued before stay valid.
Private keys are unencrypted (EC P-256, the encryption keys RSA) and written with mode 0600; they are
test credentials and must never be trusted outside a test set-up.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .domain.ids import is_organisation_number

DEFAULT_CA_NAME = "altinn-so test CA"
UNTRUSTED_CA_NAME = "altinn-so untrusted CA"
DEFAULT_CA_DAYS = 3650
DEFAULT_VALID_DAYS = 825  # the longest leaf validity macOS accepts for a private CA

SEID1 = "seid1"  # organisation number as subject serialNumber
SEID2 = "seid2"  # organisation number as organizationIdentifier NTRNO-<orgno>

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"
SFTP_HOST_KEY_FILE = "sftp-host-key"  # OpenSSH private key; its public half beside it as sftp-host-key.pub

_DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
_RESERVED_CODES = {"ca", "server"}
_CODE = re.compile(r"^[a-z0-9_]+$")
_BACKDATE = timedelta(hours=1)  # tolerate clocks a little behind ours


class CertificateError(ValueError):
    """An existing CA cannot be used, or a certificate cannot be issued as asked."""


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key; ``chain`` lists its issuers, nearest first."""

    certificate: x509.Certificate
    private_key: object  # a cryptography private key (EC P-256 for everything we create)
    chain: tuple[x509.Certificate, ...] = ()

    def certificate_pem(self, *, with_chain: bool = False) -> bytes:
        certificates = (self.certificate, *self.chain) if with_chain else (self.certificate,)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@dataclass(frozen=True)
class OwnerCertificate:
    """The files of one organisation's enterprise certificate."""

    code: str  # lower-case; the file names start with it
    orgno: str
    certificate: Path  # <code>.pem
    private_key: Path  # <code>-key.pem
    bundle: Path  # <code>-bundle.pem: certificate + key, for requests' cert=
    encryption_certificate: Path | None = None  # <code>-encryption.pem: RSA, what the download queue encrypts to
    encryption_key: Path | None = None  # <code>-encryption-key.pem


@dataclass(frozen=True)
class CertificateSet:
    directory: Path
    ca_certificate: Path
    ca_key: Path
    server_certificate: Path  # server certificate followed by the CA certificate
    server_key: Path
    ca_created: bool  # False: an existing CA in ``directory`` was reused
    owners: dict[str, OwnerCertificate] = field(default_factory=dict)  # by lower-case code
    sftp_host_key: Path | None = None  # serve --sftp-host-key: the SFTP server's host key (kept once made)

    def owner(self, code: str) -> OwnerCertificate:
        return self.owners[code.lower()]

    def tls_settings(self, *, client_certificates: bool = True):
        """:class:`altinn_so.server.TlsSettings` for serving with these files."""
        from .server import TlsSettings

        return TlsSettings(str(self.server_certificate), str(self.server_key),
                           str(self.ca_certificate) if client_certificates else None)


# --- Creating certificates (in memory) ---------------------------------------------------------

def new_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def create_ca(common_name: str = DEFAULT_CA_NAME, *, valid_days: int = DEFAULT_CA_DAYS,
              now: datetime | None = None) -> Issued:
    """A self-signed CA certificate (CA:true, keyCertSign, cRLSign) with a new key."""
    key = new_private_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "altinn-so"),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
    ])
    not_before, not_after = _validity(now, valid_days)
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
    )
    return Issued(builder.sign(key, _hash_for(key)), key)


def create_server_certificate(ca: Issued, hosts: Iterable[str] = (), *, valid_days: int = DEFAULT_VALID_DAYS,
                              now: datetime | None = None) -> Issued:
    """A TLS server certificate for localhost, 127.0.0.1, ::1 and ``hosts`` (names or IP addresses)."""
    names = _subject_alternative_names((*_DEFAULT_HOSTS, *hosts))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    extensions = [
        (x509.SubjectAlternativeName(names), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]
    return _issue(ca, subject, extensions, valid_days=valid_days, now=now)


def create_enterprise_certificate(ca: Issued, orgno: str, name: str, *,
                                  profiles: Iterable[str] = (SEID1, SEID2),
                                  valid_days: int = DEFAULT_VALID_DAYS, now: datetime | None = None) -> Issued:
    """An enterprise certificate ("virksomhetssertifikat") for organisation ``orgno``.

    The subject is ``C=NO, O=<name>, CN=<name>`` plus ``serialNumber=<orgno>``
    (SEID 1) and/or ``organizationIdentifier=NTRNO-<orgno>`` (SEID 2), as
    ``profiles`` asks; clientAuth extended key usage.
    """
    orgno = str(orgno).strip()
    if not is_organisation_number(orgno):
        raise CertificateError(f"{orgno!r} is not a valid organisation number")
    profiles = set(profiles)
    if not profiles or profiles - {SEID1, SEID2}:
        raise CertificateError(f"profiles must be a non-empty subset of {{{SEID1!r}, {SEID2!r}}}, not {profiles!r}")
    display = _fit(name.strip() or orgno)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, display),
    ]
    if SEID1 in profiles:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, orgno))
    if SEID2 in profiles:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRNO-{orgno}"))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, display))
    extensions = [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)]
    return _issue(ca, x509.Name(attributes), extensions, valid_days=valid_days, now=now)


def create_encryption_certificate(ca: Issued, orgno: str, name: str, *, valid_days: int = DEFAULT_VALID_DAYS,
                                  now: datetime | None = None) -> Issued:
    """The encryption half of an enterprise certificate pair for ``orgno``: an RSA 2048 key (keyEncipherment,
    dataEncipherment), the same subject as the authentication certificate with "(kryptering)" in its CN."""
    orgno = str(orgno).strip()
    if not is_organisation_number(orgno):
        raise CertificateError(f"{orgno!r} is not a valid organisation number")
    display = _fit(name.strip() or orgno)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, display),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, orgno),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRNO-{orgno}"),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"{display[:50]} (kryptering)")),
    ])
    key_usage = x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=True,
                              data_encipherment=True, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
    return _issue(ca, subject, [], valid_days=valid_days, now=now,
                  key=rsa.generate_private_key(public_exponent=65537, key_size=2048), key_usage=key_usage)


def create_untrusted_enterprise_certificate(orgno: str, name: str, *, ca_name: str = UNTRUSTED_CA_NAME,
                                            profiles: Iterable[str] = (SEID1, SEID2),
                                            valid_days: int = DEFAULT_VALID_DAYS,
                                            now: datetime | None = None) -> Issued:
    """An enterprise certificate like :func:`create_enterprise_certificate`'s, from a throwaway CA.

    A server that trusts only our CA must refuse it. ``ca_name`` may repeat
    the real CA's name (an impostor CA): the signature still does not verify.
    """
    throwaway = create_ca(ca_name, valid_days=max(valid_days, DEFAULT_CA_DAYS), now=now)
    return create_enterprise_certificate(throwaway, orgno, name, profiles=profiles, valid_days=valid_days, now=now)


def load_ca(certificate_path: str | os.PathLike, key_path: str | os.PathLike) -> Issued:
    """Read a CA certificate and its (unencrypted) key, checking that they belong together."""
    try:
        certificate = x509.load_pem_x509_certificate(Path(certificate_path).read_bytes())
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise CertificateError(f"cannot read the CA in {certificate_path} / {key_path}: {exc}") from exc
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo):
        raise CertificateError(f"{key_path} is not the private key of {certificate_path}")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise CertificateError(f"{certificate_path} is not a CA certificate (no basicConstraints CA:true)")
    if certificate.not_valid_after_utc <= datetime.now(timezone.utc):
        raise CertificateError(f"the CA in {certificate_path} expired on {certificate.not_valid_after_utc:%Y-%m-%d}; "
                               "remove ca.pem and ca-key.pem to create a new one")
    return Issued(certificate, key)


# --- Writing files ---------------------------------------------------------------------------------

def generate_certificates(out_dir: str | os.PathLike, owners: Iterable, *, hosts: Iterable[str] = (),
                          valid_days: int = DEFAULT_VALID_DAYS) -> CertificateSet:
    """Write the CA, the server certificate and one enterprise certificate pair (authentication, encryption)
    per owner into ``out_dir``.

    ``owners`` are objects with ``code``, ``orgno`` and ``name`` (e.g.
    :class:`altinn_so.domain.catalog.ServiceOwner`). An existing ``ca.pem`` +
    ``ca-key.pem`` in ``out_dir`` is reused, so certificates it issued before
    stay valid; otherwise a new CA is created. The server certificate and the
    owners' certificates are issued afresh on every call (the files are
    replaced; earlier copies from the same CA remain valid).
    """
    directory = Path(out_dir)
    planned = _plan_owners(owners)
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert_path, ca_key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE

    if ca_cert_path.exists() and ca_key_path.exists():
        ca, ca_created = load_ca(ca_cert_path, ca_key_path), False
    elif ca_cert_path.exists() or ca_key_path.exists():
        present, missing = (ca_cert_path, ca_key_path) if ca_cert_path.exists() else (ca_key_path, ca_cert_path)
        raise CertificateError(f"{present} exists but {missing} does not; restore it, or remove {present} "
                               "to create a new CA (certificates it issued will then stop working)")
    else:
        ca, ca_created = create_ca(valid_days=max(DEFAULT_CA_DAYS, valid_days)), True
        _write(ca_key_path, ca.private_key_pem(), private=True)  # the key first: a lone ca.pem is useless
        _write(ca_cert_path, ca.certificate_pem())

    server = create_server_certificate(ca, hosts, valid_days=valid_days)
    server_cert_path, server_key_path = directory / SERVER_CERT_FILE, directory / SERVER_KEY_FILE
    _write(server_key_path, server.private_key_pem(), private=True)
    _write(server_cert_path, server.certificate_pem(with_chain=True))

    written = {}
    for code, orgno, name in planned:
        issued = create_enterprise_certificate(ca, orgno, name, valid_days=valid_days)
        owner = _write_owner(directory, code, orgno, issued)
        encryption = create_encryption_certificate(ca, orgno, name, valid_days=valid_days)
        encryption_cert, encryption_key = directory / f"{code}-encryption.pem", directory / f"{code}-encryption-key.pem"
        _write(encryption_key, encryption.private_key_pem(), private=True)
        _write(encryption_cert, encryption.certificate_pem())
        written[code] = OwnerCertificate(owner.code, owner.orgno, owner.certificate, owner.private_key, owner.bundle,
                                         encryption_cert, encryption_key)
    host_key = ensure_ssh_host_key(directory / SFTP_HOST_KEY_FILE)
    return CertificateSet(directory=directory, ca_certificate=ca_cert_path, ca_key=ca_key_path,
                          server_certificate=server_cert_path, server_key=server_key_path,
                          ca_created=ca_created, owners=written, sftp_host_key=host_key)


def ensure_ssh_host_key(path: str | os.PathLike) -> Path:
    """An Ed25519 SSH host key at ``path`` (OpenSSH format, 0600, with ``<path>.pub``), made only if there is
    none: an SFTP client remembers the host key, so a key that changed would look like an attack."""
    path = Path(path)
    if path.exists():
        return path
    key = ed25519.Ed25519PrivateKey.generate()
    _write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                   serialization.NoEncryption()), private=True)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    _write(path.with_name(path.name + ".pub"), public + b" altinn-so sftp host key\n")
    return path


def write_untrusted_enterprise_certificate(out_dir: str | os.PathLike, owner, *, ca_name: str = UNTRUSTED_CA_NAME,
                                           valid_days: int = DEFAULT_VALID_DAYS) -> OwnerCertificate:
    """For tests: ``<code>-untrusted.pem`` / ``-untrusted-key.pem`` / ``-untrusted-bundle.pem``.

    The certificate names ``owner``'s organisation number but comes from a
    throwaway CA, so a server trusting only ``ca.pem`` must refuse it.
    """
    ((code, orgno, name),) = _plan_owners([owner])
    issued = create_untrusted_enterprise_certificate(orgno, name, ca_name=ca_name, valid_days=valid_days)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return _write_owner(directory, code, orgno, issued, stem=f"{code}-untrusted")


# --- Internals -------------------------------------------------------------------------------------

def _issue(ca: Issued, subject: x509.Name, extensions, *, valid_days: int, now: datetime | None,
           key=None, key_usage: x509.KeyUsage | None = None) -> Issued:
    key = key or new_private_key()
    public_key = key.public_key()
    not_before, not_after = _validity(now, valid_days)
    not_after = min(not_after, ca.certificate.not_valid_after_utc)  # never outlive the issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage or _key_usage(digital_signature=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_identifier(ca.certificate), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    certificate = builder.sign(ca.private_key, _hash_for(ca.private_key))
    return Issued(certificate, key, (ca.certificate, *ca.chain))


def _authority_key_identifier(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    try:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_usage(*, digital_signature: bool = False, key_cert_sign: bool = False,
               crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=key_cert_sign,
                         crl_sign=crl_sign, encipher_only=False, decipher_only=False)


def _hash_for(key):
    # Ed25519/Ed448 CA keys (someone else's CA) sign without a separate hash.
    return None if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) else hashes.SHA256()


def _validity(now: datetime | None, valid_days: int) -> tuple[datetime, datetime]:
    if valid_days < 1:
        raise CertificateError(f"valid_days must be at least 1, not {valid_days}")
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now - _BACKDATE, now + timedelta(days=valid_days)


def _fit(text: str) -> str:
    """Names are at most 64 characters in X.509 (ub-common-name, ub-organization-name)."""
    return text[:64]


def _subject_alternative_names(hosts: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        host = str(host).strip()
        if not host:
            continue
        try:
            name: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            name = x509.DNSName(host.lower().rstrip("."))
        if name not in names:
            names.append(name)
    return names


def _plan_owners(owners: Iterable) -> list[tuple[str, str, str]]:
    """(lower-case code, orgno, name) per owner, checked before any file is written."""
    planned: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for owner in owners:
        code = str(owner.code).strip().lower()
        if not _CODE.match(code) or code in _RESERVED_CODES:
            raise CertificateError(f"service owner code {owner.code!r} cannot name certificate files "
                                   "(letters, digits and _ only; not 'ca' or 'server')")
        if code in seen:
            raise CertificateError(f"service owner code {owner.code!r} appears twice")
        orgno = str(owner.orgno).strip()
        if not is_organisation_number(orgno):
            raise CertificateError(f"service owner {owner.code!r}: {orgno!r} is not a valid organisation number")
        seen.add(code)
        planned.append((code, orgno, str(getattr(owner, "name", "") or owner.code)))
    return planned


def _write_owner(directory: Path, code: str, orgno: str, issued: Issued, *,
                 stem: str | None = None) -> OwnerCertificate:
    stem = stem or code
    cert_path = directory / f"{stem}.pem"
    key_path = directory / f"{stem}-key.pem"
    bundle_path = directory / f"{stem}-bundle.pem"
    _write(key_path, issued.private_key_pem(), private=True)
    _write(cert_path, issued.certificate_pem())
    _write(bundle_path, issued.certificate_pem() + issued.private_key_pem(), private=True)
    return OwnerCertificate(code=code, orgno=orgno, certificate=cert_path, private_key=key_path, bundle=bundle_path)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Replace ``path`` atomically; private files (keys) are 0600 from the start (mkstemp), others 0644."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o600 if private else 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
