"""The SFTP server against each test's emulator, and paramiko (a real SFTP client) to log in to it."""

from __future__ import annotations

import io
import time
import warnings

import pytest

with warnings.catch_warnings():  # paramiko and asyncssh still name ciphers cryptography deprecates
    warnings.simplefilter("ignore")
    import paramiko

    from altinn_so.sftp import start_sftp

OWNER, SYSTEM, PASSWORD = "TTD", "ttd-system", "ttd-password"
OTHER_OWNER, OTHER_SYSTEM, OTHER_PASSWORD = "ETT", "ett-system", "ett-password"


@pytest.fixture
def sftp_server(emulator):
    server = start_sftp(emulator, "127.0.0.1", 0)
    yield server
    server.stop()


def connect(port: int, username: str = SYSTEM, password: str | None = PASSWORD, key=None):
    """A logged-in paramiko SFTP client (close it with ``.close()`` and its transport's)."""
    transport = paramiko.Transport(("127.0.0.1", port))
    try:
        if key is not None:
            transport.connect(username=username, pkey=key)
        else:
            transport.connect(username=username, password=password)
        return paramiko.SFTPClient.from_transport(transport)
    except BaseException:
        transport.close()
        raise


@pytest.fixture
def sftp(sftp_server):
    client = connect(sftp_server.port)
    yield client
    client.close()
    client.get_channel().get_transport().close()


def put(client, path: str, data: bytes) -> None:
    client.putfo(io.BytesIO(data), path, confirm=False)


def wait_for(condition, what: str, seconds: float = 30.0):
    """Poll until ``condition()`` is true: the server notices a dropped connection on its own thread."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def spool_files(emulator) -> list[str]:
    return sorted(path.name for path in emulator.files.directory.iterdir() if path.name.startswith(".partial-sftp-"))
