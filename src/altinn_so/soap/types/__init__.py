"""spyne models of Altinn's data contracts, one module per contract family.

Element names, order, namespaces, minOccurs and nillable follow the real
WSDLs: WCF's DataContractSerializer writes every member element in the
namespace of the contract that declares it, which is what spyne does too.
Members default to minOccurs=0 and nillable; value types (int, bool,
dateTime) in Altinn's contracts are not nillable unless the real schema says so.
"""

from spyne import Unicode


def enumeration(name: str, namespace: str, values: list[str]):
    """A string enumeration in its own contract namespace.

    spyne ignores ``__namespace__`` passed to ``customize`` for primitives, so
    it is assigned on the produced class (see docs/spyne-notes.md).
    """
    enum = Unicode(values=values, type_name=name)
    enum.__namespace__ = namespace
    return enum


def repeated(item):
    """The repeated member of a WCF collection contract: ``minOccurs=0 maxOccurs=unbounded nillable=true``."""
    return item.customize(min_occurs=0, max_occurs="unbounded", nillable=True)
