"""A plain (non-MTOM) reply whose binary values are sent as base64 read from their files as it goes.

``writer.write_reply`` leaves a mark (``writer.STREAM_MARK`` and an index) where each file-backed value
(``Blob``) goes; the reply keeps the envelope's bytes around the marks and encodes each value in chunks
while the server sends it, so a value of a gigabyte is never in memory, whole or as base64. Its length is
known before the first byte: base64 of n bytes is 4 * ceil(n / 3) characters.
"""

from __future__ import annotations

import base64
import re
from typing import Iterator

from .bodies import Blob
from .writer import STREAM_MARK

_ENCODE_CHUNK = 3 * 64 * 1024  # a multiple of 3: the chunks' base64 texts join without padding between them
_MARK = re.compile(re.escape(STREAM_MARK.encode()) + rb"(\d+)" + "\ue000".encode())


def base64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


def base64_chunks(value: Blob) -> Iterator[bytes]:
    pending = b""
    for chunk in value.chunks(_ENCODE_CHUNK):
        pending += chunk
        usable = len(pending) - len(pending) % 3
        if usable:
            yield base64.b64encode(pending[:usable])
            pending = pending[usable:]
    if pending:
        yield base64.b64encode(pending)


class StreamedReply:
    """``envelope`` (with marks) and the Blobs it marks: its length, its bytes as chunks, its journal text."""

    def __init__(self, envelope: bytes, values: list[Blob]):
        self._pieces: list[bytes | Blob] = []
        position = 0
        for match in _MARK.finditer(envelope):
            self._pieces.append(envelope[position:match.start()])
            self._pieces.append(values[int(match.group(1))])
            position = match.end()
        self._pieces.append(envelope[position:])
        self.values = values
        self.size = sum(base64_length(len(piece)) if isinstance(piece, Blob) else len(piece)
                        for piece in self._pieces)

    def chunks(self) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, Blob):
                yield from base64_chunks(piece)
            elif piece:
                yield piece

    def journal_text(self) -> bytes:
        """The envelope, each streamed value replaced by what it was (the journal never keeps those bytes)."""
        return b"".join(
            f"[{len(piece)} bytes streamed from a file: not kept in the journal]".encode()
            if isinstance(piece, Blob) else piece for piece in self._pieces)
