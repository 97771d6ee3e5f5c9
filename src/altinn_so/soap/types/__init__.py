"""spyne models of Altinn's data contracts, one module per contract family.

Element names, order, namespaces, minOccurs and nillable follow the real
WSDLs: WCF's DataContractSerializer writes every member element in the
namespace of the contract that declares it, which is what spyne does too.
Members default to minOccurs=0 and nillable; value types (int, bool,
dateTime) in Altinn's contracts are not nillable unless the real schema says so.
"""

from spyne import ByteArray, Unicode

# Named restrictions spyne leaves out of its schemas (of a binary base: WCF's StreamBody), which the WSDL writer
# (``soap.wsdl.tidy_schemas``) declares itself: (namespace, name) -> the XSD base type.
UNWRITTEN_SIMPLE_TYPES: dict[tuple[str, str], str] = {}


def enumeration(name: str, namespace: str, values: list[str]):
    """A string enumeration in its own contract namespace, as a factory of element declarations.

    Call the result with element attributes (``nillable=False``, ``min_occurs=1``).
    ``customize()`` on an enumeration would derive an anonymous type; a fresh
    class with the same name and namespace keeps the one named simpleType (spyne
    deduplicates simple types by name). spyne ignores ``__namespace__`` passed
    to ``customize`` for primitives, so it is assigned on the class.
    """
    def declare(**attributes):
        enum = Unicode(values=values, type_name=name, **attributes)
        enum.__namespace__ = namespace
        return enum

    return declare


def repeated(item):
    """The repeated member of a WCF collection contract: ``minOccurs=0 maxOccurs=unbounded nillable=true``."""
    return item.customize(min_occurs=0, max_occurs="unbounded", nillable=True)


def restricted(name: str, namespace: str, base, **facets):
    """A named restriction of an XSD primitive in its own namespace (WCF's ``guid``: a string with a pattern;
    ``char``: an int; ``duration``; ``StreamBody``: base64), as a factory of element declarations like
    ``enumeration``: call the result with element attributes."""
    if base is ByteArray:
        UNWRITTEN_SIMPLE_TYPES[(namespace, name)] = "base64Binary"

    def declare(**attributes):
        simple = base(type_name=name, **facets, **attributes)
        simple.__namespace__ = namespace
        simple.__type_name__ = name  # spyne's bounded integers ignore type_name
        return simple

    return declare
