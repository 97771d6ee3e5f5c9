"""The committed wire-types modules are exactly what the generator makes of the real contracts.

If this fails after a spec or generator change, regenerate them with ``make types`` and commit. The
real WSDLs are third-party files outside this repository: without them the test skips.
"""

from pathlib import Path

import pytest

from altinn_so.tooling import wiretypes
from support.contracts import CONTRACTS_DIR

SPECS = wiretypes.discover()


def contracts_dir() -> Path:
    """Where the real contracts are, or skip (the one place to change if they are located another way)."""
    if not CONTRACTS_DIR.is_dir():
        pytest.skip(f"real Altinn contracts not found under {CONTRACTS_DIR} "
                    f"(set ALTINN_SO_CONTRACTS to the directory holding the altinn2 contracts)")
    return CONTRACTS_DIR


def test_every_module_has_a_spec():
    assert {out.name for _, out in SPECS} >= {"correspondence.py", "notification.py", "receipt.py"}


@pytest.mark.conformance
@pytest.mark.parametrize("spec, module", SPECS, ids=[out.stem for _, out in SPECS])
def test_committed_module_is_what_the_generator_makes(spec, module):
    generated = wiretypes.generate(wiretypes.load_spec(spec), contracts_dir())
    committed = module.read_text(encoding="utf-8")
    assert committed == generated, f"{module} is stale: run `make types` and commit"
