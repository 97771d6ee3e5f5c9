"""The examples in examples/ keep working: they are what a new user copies first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_cli import _start, _stop

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_pytest_plugin_example_passes():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(EXAMPLES / "test_with_pytest_plugin.py")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout


def test_the_plugin_costs_other_projects_nothing_until_its_fixture_is_used():
    """pytest loads the plugin in every session where altinn-so is installed: the emulator, spyne and lxml
    are imported only by the fixture."""
    code = ("import sys, altinn_so.pytest_plugin; "
            "print(sorted(m for m in ('spyne', 'lxml', 'zeep', 'altinn_so.emulator', 'altinn_so.soap') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout.strip()) == (0, "[]"), run.stderr


def test_the_client_script_talks_to_a_running_emulator():
    process, base, _ = _start()
    try:
        run = subprocess.run([sys.executable, str(EXAMPLES / "send_notification.py"), base], capture_output=True,
                             text=True, timeout=60)
    finally:
        _stop(process)
    assert run.returncode == 0, run.stderr
    assert "Email to ola.nordmann@example.no" in run.stdout
    assert "wrong password -> AltinnFault ErrorID 989" in run.stdout
