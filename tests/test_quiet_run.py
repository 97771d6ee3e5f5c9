"""A passing run prints no traceback: the TLS handshakes the certificate tests make fail on purpose (an
untrusted client certificate) are logged by cheroot, and that log line must reach a live stream, not the
closed capture of an earlier test that ran ``altinn-so serve`` in-process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_certificate_tests_after_in_process_serve_calls_print_no_traceback():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_cli.py::test_incomplete_tls_options_are_refused",
                          "tests/test_cli.py::test_workers_threads_and_the_journal_s_bounds_must_be_positive",
                          "tests/wire/test_ec_certificates.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Traceback" not in output and "Logging error" not in output, output[-4000:]


def test_a_refused_serve_leaves_logging_alone():
    """Options that are refused (exit 2) do not reconfigure the process's logging."""
    import logging

    from altinn_so.cli import main

    package = logging.getLogger("altinn_so")
    before = (package.handlers[:], package.level, package.propagate)
    assert main(["serve", "--workers", "0"]) == 2
    assert (package.handlers[:], package.level, package.propagate) == before
