"""Create and fill the virtual environment ``make`` uses, safely when several ``make`` runs start at once.

``make run`` and ``make test`` started together on a fresh clone each found no ``.venv`` and each ran
``python -m venv .venv`` and ``pip install`` into it: one failed (``File exists: '.venv'``, or pip tripping
over the other's half-installed packages). Here the whole set-up runs under an exclusive lock on a file beside
the environment (``.venv.lock``); whoever gets the lock second finds the environment ready and returns at once.

    python3 tools/ensure_venv.py .venv pyproject.toml test,lint

Each set-up appends a line to ``<venv>/setup.log``. ``ALTINN_SO_VENV_INSTALL``, when set, is the install
command run inside the environment instead of pip (the tests use it to stay fast and offline).
"""

from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
import sys
import time
import venv
from pathlib import Path


def _ready(marker: Path, project: Path) -> bool:
    return marker.exists() and marker.stat().st_mtime >= project.stat().st_mtime


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: ensure_venv.py VENV PYPROJECT EXTRAS", file=sys.stderr)
        return 2
    env_dir, project, extras = Path(argv[0]), Path(argv[1]), argv[2]
    marker = env_dir / "bin" / ".installed"
    if _ready(marker, project):
        return 0
    with open(f"{env_dir}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if _ready(marker, project):
            print(f"{env_dir}: set up by another make run meanwhile")
            return 0
        if not (env_dir / "bin" / "python").exists():
            venv.EnvBuilder(with_pip=True).create(env_dir)
        python = str(env_dir / "bin" / "python")
        override = os.environ.get("ALTINN_SO_VENV_INSTALL")
        if override is not None:
            commands = [shlex.split(override)] if override.strip() else []
        else:
            pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            commands = [pip + ["--upgrade", "pip"], pip + ["-e", f".[{extras}]"]]
        for command in commands:
            subprocess.run(command, check=True, cwd=project.parent)
        with open(env_dir / "setup.log", "a") as log:
            log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} set up by pid {os.getpid()}\n")
        marker.touch()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        print(f"ensure_venv: {' '.join(map(str, exc.cmd))} failed (exit {exc.returncode})", file=sys.stderr)
        sys.exit(1)
