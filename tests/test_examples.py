"""The examples in examples/ keep working: they are what a new user copies first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("token", [None, "t0ken"])
def test_the_client_script_talks_to_a_running_emulator(token):
    """With an admin token on the server, the script sends the same ALTINN_SO_ADMIN_TOKEN to read the outbox."""
    env = {**os.environ, "ALTINN_SO_ADMIN_TOKEN": token} if token else \
        {key: value for key, value in os.environ.items() if key != "ALTINN_SO_ADMIN_TOKEN"}
    process, base, _ = _start(env=env)
    try:
        run = subprocess.run([sys.executable, str(EXAMPLES / "send_notification.py"), base], capture_output=True,
                             text=True, timeout=60, env=env)
    finally:
        _stop(process)
    assert run.returncode == 0, run.stderr
    assert "outbox: e-mail to ola.nordmann@example.no" in run.stdout
    assert "Email to ola.nordmann@example.no" in run.stdout
    assert "wrong password -> AltinnFault ErrorID 989" in run.stdout


_GUARDED_TEST = '''
import requests


def test_the_server_asks_for_the_token_and_the_admin_client_sends_it(altinn_so):
    assert requests.post(altinn_so.base_url + "/_admin/reset", timeout=10).status_code == 401
    assert requests.get(altinn_so.base_url + "/_admin/health", timeout=10).status_code == 200
    altinn_so.admin.reset()
    assert altinn_so.admin.journal() == []
'''


@pytest.mark.parametrize("option", [["--altinn-so-admin-token", "t0ken"], ["-o", "altinn_so_admin_token=t0ken"]])
def test_the_pytest_plugin_with_an_admin_token(tmp_path, option):
    """The example, unchanged, passes against a guarded in-process server: its admin client sends the token."""
    guarded = tmp_path / "test_guarded.py"
    guarded.write_text(_GUARDED_TEST)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *option,
                          str(EXAMPLES / "test_with_pytest_plugin.py"), str(guarded)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout


def test_without_a_token_the_plugins_server_asks_for_none(tmp_path):
    guarded = tmp_path / "test_open.py"
    guarded.write_text(_GUARDED_TEST)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(guarded)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "assert 200 == 401" in run.stdout, run.stdout[-3000:]
