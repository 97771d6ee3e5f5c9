"""spyne 2.14 needs our shim (altinn_so.soap.compat) on Python 3.12+.

CI runs on 3.11; here every newer interpreter the machine has installs the
package into a fresh virtual environment, imports it, builds every endpoint
and writes the WSDLs, which must be byte-identical to the ones this
interpreter writes.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from altinn_so.services import default_routes

ROOT = Path(__file__).resolve().parents[1]


def _works(interpreter: str) -> bool:
    probe = subprocess.run([interpreter, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == "True"


def _newer_interpreters() -> list[str]:
    """Python 3.12+ executables: on PATH, or installed by pyenv (whose shims may not expose them)."""
    found = {}
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in range(12, 16):
        candidates = [shutil.which(f"python3.{minor}"), f"/usr/bin/python3.{minor}",
                      *sorted(glob.glob(f"{pyenv}/versions/3.{minor}.*/bin/python3.{minor}"))]
        for candidate in candidates:
            if candidate and os.access(candidate, os.X_OK) and _works(candidate):
                found[f"3.{minor}"] = candidate
                break
    return list(found.values())

NEWER = _newer_interpreters()

pytestmark = pytest.mark.slow




def test_shim_is_inert_on_this_interpreter():
    from altinn_so.soap import compat

    if sys.version_info < (3, 12):
        assert not any(isinstance(f, compat._SixMovesFinder) for f in sys.meta_path)


def test_cgi_stand_in_parses_headers_like_cgi():
    from altinn_so.soap.compat import _parse_header

    assert _parse_header('application/soap+xml; charset=utf-8; action="urn:x"') == (
        "application/soap+xml", {"charset": "utf-8", "action": "urn:x"})
    assert _parse_header("text/xml") == ("text/xml", {})


@pytest.mark.skipif(not NEWER, reason="no Python newer than 3.11 on this machine")
@pytest.mark.parametrize("interpreter", NEWER, ids=[os.path.basename(p) for p in NEWER])
def test_package_imports_and_writes_identical_wsdls(interpreter, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              str(ROOT)], capture_output=True, text=True)
    if install.returncode != 0:
        pytest.skip(f"could not install the package for {interpreter}: {install.stderr.strip()[-300:]}")

    out = tmp_path / "wsdl"
    run = subprocess.run([str(python), "-W", "error::ImportWarning", "-m", "altinn_so", "wsdl", "--out", str(out)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr

    for route in default_routes():
        name = f"{route.endpoint.name}.wsdl"
        expected = route.wsdl("http://localhost:8080" + route.endpoint.path)
        assert (out / name).read_bytes() == expected, f"{name} differs under {interpreter}"
