"""`make run` and `make test` started together on a fresh clone: the virtual environment is set up once, and
both make runs succeed (tools/ensure_venv.py holds a lock while it builds it).

Two `make venv` runs start at once on a fresh copy of the files make needs. The install step is replaced by a
slow no-op (ALTINN_SO_VENV_INSTALL) so that the test takes seconds and needs no network; the real pip install
runs under the same lock, in every `make` of CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_two_make_runs_on_a_fresh_clone_set_the_venv_up_once(tmp_path):
    for name in ("Makefile", "pyproject.toml", "tools/ensure_venv.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    env = {**os.environ, "ALTINN_SO_VENV_INSTALL": f"{sys.executable} -c 'import time; time.sleep(1.5)'"}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    runs = [subprocess.Popen(["make", "--no-print-directory", "venv", f"PYTHON={sys.executable}"], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    log = (tmp_path / ".venv" / "setup.log").read_text().splitlines()
    assert len(log) == 1, (log, outputs)  # one set-up; the other make found it done
    assert (tmp_path / ".venv" / "bin" / ".installed").exists()
    assert any("set up by another make run meanwhile" in output for output in outputs), outputs
