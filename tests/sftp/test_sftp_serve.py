"""``altinn-so serve --sftp-port`` as a real process: one SFTP server, also with several workers, whose batches
the workers' schedulers read."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile

import pytest
import requests

from support.processes import ROOT

from .conftest import connect, wait_for


def _serve(*arguments: str):
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0", "--sftp-port", "0",
                                "--log-level", "warning", *arguments],
                               stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
    lines = []
    for line in process.stdout:  # ends if the process does
        lines.append(line)
        if line.startswith("sftp: "):
            break
    else:
        log.seek(0)
        raise AssertionError(f"no SFTP server started: {''.join(lines)} {log.read()}")
    return process, lines


def _stop(process) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_runs_one_sftp_server_whose_uploads_the_scheduler_reads(tmp_path, workers):
    process, lines = _serve("--workers", workers, "--db", str(tmp_path / "altinn.sqlite3"))
    try:
        http = re.search(r"serving on (http://\S+) ", lines[0]).group(1)
        port = int(re.search(r"sftp://127\.0\.0\.1:(\d+) ", lines[-1]).group(1))
        assert f"kept in {tmp_path / 'altinn.sqlite3.sftp-host-key'}" in lines[-1]
        client = connect(port)
        try:
            client.putfo(io.BytesIO(b"this is not XML"), "/inbound/not-xml.txt")
        finally:
            client.get_channel().get_transport().close()

        def refused() -> bool:  # no reader takes a file that is not XML: the scheduler refuses it whole
            state = requests.get(f"{http}/_admin/health", timeout=5)
            assert state.ok
            return _batch_states(tmp_path / "altinn.sqlite3") == ["Refused"]

        wait_for(refused, "a worker's scheduler to read the batch")
    finally:
        _stop(process)
    rest = process.stdout.read()
    assert "sftp: " not in rest  # one SFTP server, however many workers


def _batch_states(database) -> list[str]:
    import sqlite3

    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT state FROM data_batches ORDER BY id")]


@pytest.mark.parametrize("arguments, problem", [
    (["--sftp-host", "127.0.0.1"], "need --sftp-port"),
    (["--sftp-host-key", "key"], "need --sftp-port"),
])
def test_sftp_options_without_a_port_are_refused(arguments, problem):
    done = subprocess.run([sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0", *arguments],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert problem in done.stderr


def test_a_taken_sftp_port_is_one_line_and_exit_2(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for workers in ("1", "2"):
            done = subprocess.run([sys.executable, "-m", "altinn_so.cli", "serve", "--port", "0", "--workers",
                                   workers, "--db", str(tmp_path / f"w{workers}.db"), "--sftp-port", str(port)],
                                  capture_output=True, text=True, cwd=ROOT, timeout=60)
            assert done.returncode == 2, done.stderr
            assert "already in use" in done.stderr and "--sftp-port" in done.stderr
