"""Reading the caller's enterprise certificate from the TLS layer.

Norwegian enterprise certificates ("virksomhetssertifikat") carry the
organisation number in the subject: as ``serialNumber`` in the older
(SEID 1) profile, as ``organizationIdentifier`` ``NTRNO-<orgno>`` in SEID 2.
The TLS server has already verified the chain against the trusted CAs; here
we only read who the certificate names.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from ..domain.ids import is_organisation_number

def organisation_number(certificate: x509.Certificate) -> str | None:
    subject = certificate.subject
    for attribute in subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER):
        value = str(attribute.value)
        if value.upper().startswith("NTRNO-") and is_organisation_number(value[6:]):
            return value[6:]
    for attribute in subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        value = str(attribute.value).strip()
        if is_organisation_number(value):
            return value
    return None


def client_certificate_orgno(environ: dict) -> str | None:
    """The org number of a TLS client certificate the server verified, if any.

    cheroot puts the verified certificate in ``SSL_CLIENT_CERT`` (PEM), as mod_ssl does; with worker
    processes each one serves with the same cheroot front (``workers.py``).
    """
    pem = environ.get("SSL_CLIENT_CERT")
    if pem and environ.get("SSL_CLIENT_VERIFY", "SUCCESS") == "SUCCESS":
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii") if isinstance(pem, str) else pem)
        return organisation_number(certificate)
    return None
