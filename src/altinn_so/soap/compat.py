"""Make spyne 2.14.0 importable on Python 3.12 and newer.

spyne's last release vendors six 1.14, whose ``six.moves`` importer only
implements the ``find_module``/``load_module`` protocol that Python 3.12
removed; and on 3.13 the ``cgi`` module spyne imports is gone. This module
must be imported before anything from spyne; ``altinn_so.soap`` does so.

Nothing here patches files on disk: we add a meta-path finder that speaks the
modern protocol on behalf of six's importer, and (3.13+) a ``cgi`` stand-in
offering the one function spyne calls, ``parse_header``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from email.message import Message

_SIX = "spyne.util.six"
_MOVES = _SIX + ".moves"


class _SixMovesLoader(importlib.abc.Loader):
    def __init__(self, importer):
        self._importer = importer

    def create_module(self, spec):
        return self._importer.load_module(spec.name)

    def exec_module(self, module):
        # six's importer returns fully initialised modules.
        return None


class _SixMovesFinder(importlib.abc.MetaPathFinder):
    """Answers ``find_spec`` for ``spyne.util.six.moves*`` using six's own importer."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_MOVES):
            return None
        six_module = sys.modules.get(_SIX)
        importer = getattr(six_module, "_importer", None)
        if importer is None or importer.find_module(fullname) is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, _SixMovesLoader(importer), is_package=(fullname == _MOVES)
        )


def _parse_header(line: str) -> tuple[str, dict[str, str]]:
    """``cgi.parse_header`` semantics: ``'text/xml; charset=utf-8'`` -> ``('text/xml', {'charset': 'utf-8'})``."""
    message = Message()
    message["content-type"] = line
    params = message.get_params() or [("", "")]
    main, _ = params[0]
    return main, {key.lower(): value for key, value in params[1:]}


def install() -> None:
    if sys.version_info >= (3, 12) and not any(isinstance(f, _SixMovesFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SixMovesFinder())
    if sys.version_info >= (3, 13) and "cgi" not in sys.modules:
        try:
            import cgi  # noqa: F401  (a legacy-cgi backport, if installed)
        except ImportError:
            stub = types.ModuleType("cgi")
            stub.parse_header = _parse_header
            sys.modules["cgi"] = stub


install()
