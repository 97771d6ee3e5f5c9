"""Sealing a download to a service owner's encryption certificate (docs/behaviour/download-queue.md, D59).

Each download of an encrypted service gets a fresh AES-256 key. Form data and attachments are encrypted with it
in CBC mode with PKCS#7 padding, each with a fresh 16-byte IV written in front of the ciphertext; the key is
encrypted to the certificate's RSA public key with OAEP (SHA-1, MGF1 with SHA-1: what .NET's
``RSA.Decrypt(…, RSAEncryptionPadding.OaepSHA1)`` and ``RSACryptoServiceProvider.Decrypt(…, true)`` read). The
certificate is named by its thumbprint: the SHA-1 of its DER form in upper-case hex, as Windows shows it.
"""

from __future__ import annotations

import base64
import os
from typing import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 32
IV_BYTES = 16
OAEP = asymmetric_padding.OAEP(mgf=asymmetric_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def rsa_certificate(pem: str) -> x509.Certificate:
    """The certificate in ``pem``; a ``ValueError`` unless it holds an RSA key (one that can encrypt)."""
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii") if isinstance(pem, str) else pem)
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise ValueError("an encryption certificate must hold an RSA key (EC keys cannot encrypt a key)")
    return certificate


def thumbprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA1()).hex().upper()


def seal(key: bytes, data: bytes) -> bytes:
    """IV + AES-256-CBC(PKCS#7(data))."""
    iv = os.urandom(IV_BYTES)
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()


def unseal(key: bytes, sealed: bytes) -> bytes:
    """What ``seal`` sealed (for tests and for owners' code to copy)."""
    decryptor = Cipher(algorithms.AES(key), modes.CBC(sealed[:IV_BYTES])).decryptor()
    unpadder = padding.PKCS7(algorithms.AES.block_size).unpadder()
    return unpadder.update(decryptor.update(sealed[IV_BYTES:]) + decryptor.finalize()) + unpadder.finalize()


def sealed_key(certificate_pem: str) -> tuple[bytes, str, Callable[[bytes], bytes]]:
    """A fresh key: (the key encrypted to the certificate, the certificate's thumbprint, a function that seals
    data with the key)."""
    certificate = rsa_certificate(certificate_pem)
    key = os.urandom(KEY_BYTES)
    return certificate.public_key().encrypt(key, OAEP), thumbprint(certificate), lambda data: seal(key, data)


def encode_text(sealed: bytes) -> str:
    return base64.b64encode(sealed).decode("ascii")
