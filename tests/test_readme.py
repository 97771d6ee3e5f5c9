"""The README's examples work as printed: what a new user copies first.

Every ```python block is preceded by a marker comment saying how it is checked:

* ``<!-- readme-test: script -->`` runs as a script against a live emulator (``altinn-so serve`` on a free port;
  ``http://localhost:8080`` in the block is replaced by its address). ``needs the real WSDLs`` in the marker
  runs it in the folder of the real Basic WSDLs (``altinn_so.tooling.contracts.locate()``), and skips without.
* ``<!-- readme-test: pytest -->`` is a test file: it runs under pytest, with the altinn-so plugin.
* ``<!-- readme-test: not run: <reason> -->`` is deliberately not run; the reason is required.

Every ```sh line that runs ``altinn-so`` (in the README and docs/) must parse; the cheap commands run.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from altinn_so.cli import build_parser
from test_cli import _start, _stop

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
MARKER = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->\s*\Z", re.S)


def _blocks(path: Path, language: str) -> list[tuple[int, str, str | None]]:
    """(line, code, marker) of every block in ``language``; marker is the readme-test comment just before it."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        if match.group(1) != language:
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n")
        marker = MARKER.search(before[-300:])
        found.append((line, match.group(2), marker.group(1) if marker else None))
    return found


PYTHON_BLOCKS = _blocks(README, "python")


def test_every_python_block_says_how_it_is_checked():
    assert PYTHON_BLOCKS, "the README has no python examples?"
    for line, _code, marker in PYTHON_BLOCKS:
        assert marker is not None, f"README.md:{line}: python block without a <!-- readme-test: … --> marker"
        kind = marker.split(",")[0].split(":")[0].strip()
        assert kind in ("script", "pytest", "not run"), f"README.md:{line}: unknown marker {marker!r}"
        if kind == "not run":
            assert marker.split(":", 1)[1].strip() if ":" in marker else "", \
                f"README.md:{line}: a block that is not run must say why"


def test_every_python_block_compiles():
    for line, code, _marker in PYTHON_BLOCKS:
        compile(code, f"README.md:{line}", "exec")  # a SyntaxError names the README line


@pytest.mark.parametrize("line,code,marker", [b for b in PYTHON_BLOCKS if b[2] and b[2].startswith("script")],
                         ids=lambda value: f"line{value}" if isinstance(value, int) else "")
def test_script_blocks_run_against_a_live_emulator(line, code, marker, tmp_path):
    cwd = tmp_path
    if "needs the real WSDLs" in marker:
        from altinn_so.tooling.contracts import locate
        contracts = locate()
        if contracts is None:
            pytest.skip("the real Altinn WSDLs are not here (make contracts)")
        cwd = contracts / "basic"
    process, base, _ = _start()
    try:
        script = tmp_path / f"readme_line{line}.py"
        script.write_text(code.replace("http://localhost:8080", base), encoding="utf-8")
        run = subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=120)
    finally:
        _stop(process)
    assert run.returncode == 0, f"README.md:{line}\n{run.stdout[-2000:]}{run.stderr[-3000:]}"


@pytest.mark.parametrize("line,code", [(b[0], b[1]) for b in PYTHON_BLOCKS if b[2] == "pytest"],
                         ids=lambda value: f"line{value}" if isinstance(value, int) else "")
def test_pytest_blocks_pass(line, code, tmp_path):
    (tmp_path / f"test_readme_line{line}.py").write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"README.md:{line}\n{run.stdout[-3000:]}{run.stderr[-2000:]}"
    assert "1 passed" in run.stdout


def _altinn_so_command_lines() -> list[tuple[str, list[str]]]:
    found = []
    for path in [README, *sorted((ROOT / "docs").rglob("*.md"))]:
        for line, code, _marker in _blocks(path, "sh"):
            for offset, text in enumerate(code.splitlines()):
                command = text.split(" #", 1)[0].strip()
                words = shlex.split(command) if command else []
                if words and words[0].endswith("altinn-so") and words[0].split("/")[-1] == "altinn-so":
                    words = words[1:]
                    if ">" in words:  # a redirection: the command ends before it
                        words = words[:words.index(">")]
                    found.append((f"{path.relative_to(ROOT)}:{line + 1 + offset}", words))
    return found


COMMANDS = _altinn_so_command_lines()


def test_the_docs_show_altinn_so_commands():
    assert len(COMMANDS) >= 3, COMMANDS


@pytest.mark.parametrize("where,words", COMMANDS, ids=[where for where, _ in COMMANDS])
def test_every_altinn_so_command_shown_parses(where, words, tmp_path):
    parser = build_parser()
    try:
        parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on a usage error, 0 on --help/--version
        assert exc.code == 0, f"{where}: altinn-so {' '.join(words)} does not parse"
    if words and words[0] in ("seed", "certs", "wsdl") or words == ["--version"]:  # cheap: run them too
        run = subprocess.run([sys.executable, "-m", "altinn_so", *words], cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, f"{where}: {run.stderr[-2000:]}"
