"""The emulator's SFTP server (docs/behaviour/sftp.md): service owners upload batch files to ``/inbound`` and
fetch what the emulator made for them from ``/outbound``, logging in as an agency system of the seed.

``start_sftp(emulator, host, port)`` runs one in a thread of its own (``serve --sftp-port`` and the tests use
it); ``host_key_file(settings)`` says where a server keeps its host key with the emulator's state.
"""

from __future__ import annotations

import os

from .server import SftpServer, start_sftp

HOST_KEY_SUFFIX = ".sftp-host-key"
HOST_KEY_NAME = "sftp-host-key"


def host_key_file(settings) -> str | None:
    """Where the host key of an emulator with these ``Settings`` lives: beside a SQLite file
    (``<file>.sftp-host-key``), else in its files directory (``--files-dir``, or PostgreSQL's); None for a store
    in memory, whose key lives as long as the process."""
    from ..emulator import files_directory

    database = settings.database
    if database.startswith("sqlite:///"):
        database = database[len("sqlite:///"):] or ":memory:"
    postgres = database.startswith(("postgresql://", "postgres://"))
    if not postgres and database != ":memory:":
        return database + HOST_KEY_SUFFIX
    if settings.files_dir or postgres:
        directory, _ = files_directory(settings)
        return os.path.join(directory, HOST_KEY_NAME)
    return None


__all__ = ["SftpServer", "host_key_file", "start_sftp"]
