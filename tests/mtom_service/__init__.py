"""A service that exists only in the test suite, to prove MTOM and per-operation body limits.

None of the emulated services declares MTOM yet (the download queue, the streamed broker and archive
contracts and batch logging will), so ``FileAgencyExternal`` stands in for them: its contract declares MTOM
(``mtom=True``) and it has the shapes those contracts have, an upload taking a ByteArray and a download
returning one. ``UploadStreamed`` declares a body limit of its own (``LARGE_LIMIT``), as the streamed
broker and archive operations do. ``PlainFileAgencyExternal`` is the same service on a contract that does
not declare MTOM. ``StoreFile`` and ``FetchFile`` are what the streamed broker does with a file: the upload
is moved into the emulator's file store (hashed while copied, never whole in memory) and comes back
streamed from disk. Registered as ``SERVICES + (mtom_service.SERVICE,)``.
"""

from __future__ import annotations

import hashlib

from spyne import ByteArray, Integer32, Unicode

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.service import AltinnService
from altinn_so.soap.bodies import Blob
from altinn_so.soap.codec import value
from altinn_so.soap.contract import Operation, ServiceContract

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/FileTest/2026/12"
LARGE_LIMIT = 4 * 1024 * 1024  # UploadStreamed's own limit (the tests run the server with a smaller default)


def describe(data) -> str:
    """What a handler got: size, SHA-256 and whether it came as bytes or as a file-backed Blob."""
    if data is None:
        return "none"
    if isinstance(data, Blob):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        return f"{len(data)}:{digest.hexdigest()}:blob"
    assert isinstance(data, bytes), type(data)
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()}:bytes"


def pattern(size: int) -> bytes:
    """``size`` bytes that are not all alike (every byte value, CR and LF among them)."""
    block = bytes(range(256))
    return (block * (size // 256 + 1))[:size]


def upload(call, args) -> str:
    return describe(value(args, "data"))


def download(call, args) -> bytes:
    return pattern(value(args, "size") or 0)


def store_file(call, args) -> str:
    """Keep the upload in the file store: its hash and size (a Blob is copied file to file, in chunks)."""
    data = value(args, "data") or b""
    stored = call.emulator.files.put(data.chunks() if isinstance(data, Blob) else [data])
    return f"{stored.sha256}:{stored.size}"


def fetch_file(call, args) -> Blob:
    """A stored file, streamed from disk into the reply."""
    try:
        return Blob.from_file(call.emulator.files.open(value(args, "sha256") or ""))
    except KeyError:
        raise AltinnError(ErrorCode.FILE_NOT_EXIST,
                          "No file has that hash.") from None


OPERATIONS = (
    Operation("Upload", upload, params=(("name", Unicode), ("data", ByteArray)), returns=Unicode,
              authenticated=False),
    Operation("UploadStreamed", upload, params=(("name", Unicode), ("data", ByteArray)), returns=Unicode,
              authenticated=False, max_body_bytes=LARGE_LIMIT),
    Operation("Download", download, params=(("size", Integer32),), returns=ByteArray, authenticated=False),
    Operation("StoreFile", store_file, params=(("name", Unicode), ("data", ByteArray)), returns=Unicode,
              authenticated=False, max_body_bytes=LARGE_LIMIT),
    Operation("FetchFile", fetch_file, params=(("sha256", Unicode),), returns=ByteArray, authenticated=False),
)

FILE_AGENCY_EXTERNAL = ServiceContract(
    name="FileAgencyExternal", area="ServiceEngineExternal", bindings=("basic", "ws"),
    namespaces={"basic": NAMESPACE}, operations=OPERATIONS, mtom=True)

PLAIN_FILE_AGENCY_EXTERNAL = ServiceContract(
    name="PlainFileAgencyExternal", area="ServiceEngineExternal", bindings=("basic",),
    namespaces={"basic": NAMESPACE}, operations=OPERATIONS)

SERVICE = AltinnService(key="files", contracts=(FILE_AGENCY_EXTERNAL, PLAIN_FILE_AGENCY_EXTERNAL))
