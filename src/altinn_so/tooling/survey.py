"""Run the wire-types generator over every real WSDL we hold and say what it makes of each.

    python -m altinn_so.tooling.survey [--contracts DIR]

For every ``*.wsdl`` under the contracts directory it generates a module with ``operations = ["*"]``,
imports it and builds spyne's XML schema of its types: a WSDL is ``ok``, or fails with the generator's
SpecError (the construct, the type and the file it does not support) or spyne's error. Exit 1 if any fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from . import wiretypes


def every_wsdl(directory: Path) -> list[str]:
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*.wsdl"))


def spec_for(relpath: str, where: Path, directory: Path) -> wiretypes.Spec:
    """A spec naming one contract and all its operations (``where``: the spec's notional path), with the
    Python names a real spec would give where two namespaces share a type's local name or a constant."""
    declared = wiretypes.read_contracts(directory, [relpath], [])
    names, namespace_names = {}, {}
    by_local: dict[str, list[str]] = {}
    for qname in sorted(declared.types):
        by_local.setdefault(wiretypes.split(qname)[1], []).append(qname)
    for local, qnames in by_local.items():
        for qname in qnames[1:]:
            names[qname] = local + wiretypes.namespace_constant(wiretypes.split(qname)[0]).title().replace("_", "")[2:]
    by_constant: dict[str, list[str]] = {}
    for namespace in sorted({wiretypes.split(qname)[0] for qname in declared.types}):
        by_constant.setdefault(wiretypes.namespace_constant(namespace), []).append(namespace)
    for constant, namespaces in by_constant.items():
        for index, namespace in enumerate(namespaces[1:], start=2):
            namespace_names[namespace] = f"{constant}_{index}"
    return wiretypes.Spec(path=where / "survey.spec.toml", title=f"Every type of {relpath}.", description="",
                          contracts=[relpath], type_sources=[], operations=["*"], roots=[], names=names,
                          namespace_names=namespace_names, inferred=[], inferred_note="")


def generate(directory: Path, relpath: str, where: Path) -> str:
    """The module the generator makes of every operation of one contract (a SpecError if it cannot)."""
    return wiretypes.generate(spec_for(relpath, where, directory), directory)


def load_module(source: str, label: str) -> dict:
    """Execute a generated module's source; its globals."""
    from altinn_so.soap import compat  # noqa: F401  (before spyne)
    namespace: dict = {"__name__": f"survey_{label}"}
    exec(compile(source, label, "exec"), namespace)
    return namespace


def model_classes(namespace: dict) -> list[type]:
    """The module's spyne models: its complex types and its simple types (an enumeration or a restriction is a
    factory of declarations: called once for its class), in definition order."""
    from spyne.model import ModelBase
    found = []
    for value in namespace.values():
        if isinstance(value, type) and issubclass(value, ModelBase) and value.__module__ == namespace["__name__"]:
            found.append(value)
        elif callable(value) and getattr(value, "__qualname__", "") in ("enumeration.<locals>.declare",
                                                                        "restricted.<locals>.declare"):
            found.append(value())
    return found


def build_schemas(classes: list[type]) -> dict:
    """spyne's XML schema documents for these models, by target namespace."""
    from altinn_so.soap import compat  # noqa: F401
    from spyne import Application, Service, rpc
    from spyne.interface.xml_schema import XmlSchema
    from spyne.protocol.soap import Soap11

    methods = {}
    for index, cls in enumerate(classes):
        def stub(ctx, value):  # never called
            raise NotImplementedError

        name = f"take{index}"
        stub.__name__ = stub.__qualname__ = name
        methods[name] = rpc(cls)(stub)
    service = type("SurveyService", (Service,), methods)
    application = Application([service], tns="urn:altinn-so:survey", name=f"survey{id(classes)}",
                              in_protocol=Soap11(), out_protocol=Soap11())
    document = XmlSchema(application.interface)
    document.build_interface_document()
    return {node.get("targetNamespace"): node for node in document.get_interface_document().values()}


def survey_one(directory: Path, relpath: str) -> tuple[str, str]:
    """("ok" | "generator" | "spyne", detail)."""
    with tempfile.TemporaryDirectory() as where:
        try:
            source = generate(directory, relpath, Path(where))
        except wiretypes.SpecError as error:
            return "generator", str(error)
    try:
        namespace = load_module(source, relpath.replace("/", "_").removesuffix(".wsdl"))
        classes = model_classes(namespace)
        build_schemas(classes)
    except Exception as error:  # noqa: BLE001  (spyne's, reported as found)
        return "spyne", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=-3)}"
    return "ok", f"{len(classes)} types"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m altinn_so.tooling.survey", description=__doc__.split("\n")[0])
    parser.add_argument("--contracts", type=Path, default=None, help="the altinn2 contracts directory")
    options = parser.parse_args(argv)
    directory = options.contracts or wiretypes.default_contracts_dir()
    failed = 0
    for relpath in every_wsdl(directory):
        status, detail = survey_one(directory, relpath)
        failed += status != "ok"
        print(f"{status:9} {relpath}: {detail.splitlines()[0] if detail else ''}")
    print(f"{failed} of {len(every_wsdl(directory))} WSDLs fail", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
