"""Our served WSDL of a flavour (service and binding) against the real one: the names a client generator
turns into classes, the actions, and every operation's signature. Each conformance module parametrizes
these over its own flavours (anything with ``key``, ``path``, ``contract`` and ``operations``)."""

from __future__ import annotations

import pytest
from lxml import etree

from .contracts import our_service, port_type_actions, real_client, wsdl_actions
from .zeepview import binding_names, diff_views, real_operation_view, replace_strings, served_operation_view


def our_wsdl_client(base_url: str, path: str):
    client, _ = our_service(base_url + path + "?wsdl")
    return client


def assert_names_match(base_url: str, flavour) -> None:
    assert binding_names(our_wsdl_client(base_url, flavour.path)) == binding_names(real_client(flavour.contract))


def assert_actions_match(base_url: str, flavour) -> None:
    """zeep's view only carries the input action; replies and faults are sent with the others."""
    client = our_wsdl_client(base_url, flavour.path)
    ours = port_type_actions(etree.fromstring(client.transport.load(base_url + flavour.path + "?wsdl")))
    real = wsdl_actions(flavour.contract)
    assert {op: ours.get(op) for op in real} == real


def signature_cases(flavours) -> list:
    return [pytest.param(f, op, id=f"{f.key}-{op}") for f in flavours for op in sorted(f.operations)]


def views(base_url: str, flavour, reference) -> tuple[dict, dict]:
    """(view of the real WSDL of ``reference``, view of ours for ``flavour``)."""
    return real_operation_view(reference.contract), served_operation_view(base_url + flavour.path + "?wsdl")


def assert_signature_matches(base_url: str, flavour, reference, operation: str) -> None:
    real_view, our_view = views(base_url, flavour, reference)
    assert operation in our_view, f"{operation} is missing from our {flavour.key} WSDL"
    diffs = diff_views(real_view[operation], our_view[operation], operation)
    assert not diffs, f"{flavour.key}: our {operation} differs from the real WSDL:\n  " + "\n  ".join(diffs)


# -- a binding we infer from a real one (Basic and WS from EC2, say) --------------------------------------------


def assert_inferred_signature(base_url: str, path: str, reference_contract: str, reference_operation: str,
                              operation: str, expected, operations: set[str]) -> None:
    """Our inferred binding at ``path`` serves exactly ``operations``, and its ``operation`` is what ``expected``
    makes of the real ``reference_operation`` (its operation view) in ``reference_contract``."""
    real_view = real_operation_view(reference_contract)
    our_view = served_operation_view(base_url + path + "?wsdl")
    assert set(our_view) == operations
    diffs = diff_views(expected(real_view[reference_operation]), our_view[operation], operation,
                       labels=("expected", "ours"))
    assert not diffs, "\n  ".join(diffs)


def assert_inferred_names(base_url: str, path: str, reference_contract: str, key: str, renames: dict[str, str],
                          service_suffix: str = "") -> None:
    """Our inferred binding's names are the real contract's with ``renames``, a Basic binding named as WCF names
    one (``BasicHttpBinding_``), and each service name ending in ``service_suffix``."""
    binding = "BasicHttpBinding_" if key == "basic" else "CustomBinding_"
    expected = replace_strings(binding_names(real_client(reference_contract)), {"CustomBinding_": binding, **renames})
    expected["services"] = {name + service_suffix: ports for name, ports in expected["services"].items()}
    assert binding_names(our_wsdl_client(base_url, path)) == expected
