"""The folders a logged-in service owner sees over SFTP (docs/behaviour/sftp.md), as plain path rules.

There is no directory on disk behind them: ``/`` holds ``/inbound`` (where the owner uploads batch files; it
can write there and nothing else) and ``/outbound`` (the files the emulator made for it; it can read and delete
them). Every path a client names is read here into a ``Place`` first, and anything that is not one of these
places is refused before any work is done: ``..`` anywhere, folders that do not exist (another owner's among
them: each owner's ``/`` is its own), and nested names.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

INBOUND, OUTBOUND = "inbound", "outbound"
FOLDERS = (INBOUND, OUTBOUND)

# A name in /inbound with one of these marks is still being written: it becomes a batch only when renamed to
# a name without them (the convention of tools that upload to a temporary name and rename when done).
TEMPORARY_PREFIX = "."
TEMPORARY_SUFFIXES = (".tmp", ".part")


class Refused(Exception):
    """A path or an operation an owner may not use (answered with SFTP's permission denied)."""


class NotThere(Exception):
    """A path that names nothing (answered with SFTP's no such file)."""


@dataclass(frozen=True)
class Place:
    """Where a path leads: the root (``folder`` None), one of the folders, or a file name in one."""

    folder: str | None = None
    name: str | None = None

    @property
    def path(self) -> str:
        return "/" + "/".join(part for part in (self.folder, self.name) if part)

    @property
    def is_folder(self) -> bool:
        return self.name is None


def place_of(raw: bytes | str) -> Place:
    """The place ``raw`` (absolute, or relative to ``/``) names; ``Refused`` for what an owner may not reach."""
    path = _text(raw)
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise Refused("'..' is not allowed in paths")
    if not parts:
        return Place()
    if parts[0] not in FOLDERS:
        raise Refused(f"/{parts[0]} is not a folder of yours: there are only /inbound and /outbound")
    if len(parts) == 1:
        return Place(parts[0])
    if len(parts) > 2:
        raise Refused(f"/{parts[0]} has no sub-folders")
    return Place(parts[0], parts[1])


def canonical(raw: bytes | str) -> str:
    """What ``realpath`` answers: ``raw`` made absolute with ``.`` and ``..`` resolved, never above ``/`` (so
    that ``cd ..`` works); the path itself is checked when it is used."""
    return posixpath.normpath("/" + _text(raw)).replace("//", "/")


def is_temporary(name: str) -> bool:
    """Whether an inbound file of this name is still being written (see ``TEMPORARY_SUFFIXES``)."""
    return name.startswith(TEMPORARY_PREFIX) or name.lower().endswith(TEMPORARY_SUFFIXES)


def _text(raw: bytes | str) -> str:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("paths must be UTF-8") from None
    if "\x00" in raw or "\\" in raw:
        raise Refused("paths may not hold NUL or backslash")
    return raw
