"""The WSDLs committed under wsdl/ are exactly what ``altinn-so wsdl --out wsdl`` writes.

If this fails after a contract change, regenerate them with ``make wsdl`` and commit.
"""

from pathlib import Path

from altinn_so.cli import main

COMMITTED = Path(__file__).resolve().parents[1] / "wsdl"


def test_committed_wsdls_are_current(tmp_path, capsys):
    assert main(["wsdl", "--out", str(tmp_path)]) == 0
    generated = {p.name: p.read_bytes() for p in tmp_path.glob("*.wsdl")}
    committed = {p.name: p.read_bytes() for p in COMMITTED.glob("*.wsdl")}
    assert sorted(committed) == sorted(generated), "wsdl/ lists other files than the emulator serves: run make wsdl"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert not stale, f"stale WSDLs in wsdl/ (run make wsdl): {stale}"


def test_wsdl_output_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["wsdl", "--out", str(first)]) == main(["wsdl", "--out", str(second)]) == 0
    names = sorted(path.name for path in first.iterdir())
    assert names and names == sorted(path.name for path in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
