"""Generating spyne models for an endpoint: wrapper messages and the XML schemas of its contracts.

spyne is our contract language. For every bound operation we generate an
``@rpc`` method whose request and response wrappers are the exact elements
Altinn's WSDL declares; the codec reads and writes those wrappers, and the
WSDL writer takes its ``wsdl:types`` from spyne's schema generator.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import compat  # noqa: F401  (must precede spyne imports)
from spyne import Application, Service, Unicode, rpc
from spyne.interface.xml_schema import XmlSchema
from spyne.protocol.soap import Soap11

from .contract import BoundOperation, Endpoint
from .types.common import AltinnFault

# Credentials in the body are required strings: minOccurs=1, not nillable.
CREDENTIAL = Unicode(min_occurs=1, nillable=False)


@dataclass(frozen=True)
class OperationModels:
    request: type  # spyne ComplexModel of the request wrapper
    response: type  # spyne ComplexModel of the response wrapper


@dataclass(frozen=True)
class EndpointModels:
    application: Application
    operations: dict[str, OperationModels]  # by wire name

    def schemas(self) -> dict[str, "etree._Element"]:  # noqa: F821
        """``xs:schema`` elements by target namespace, including AltinnFault's."""
        interface = self.application.interface
        interface.add_class(AltinnFault)
        document = XmlSchema(interface)
        document.build_interface_document()
        return {node.get("targetNamespace"): node for node in document.get_interface_document().values()}


def _stub(name: str):
    def operation(ctx, *args):  # never called: the dispatcher calls the contract's handler
        raise NotImplementedError(name)

    operation.__name__ = name
    operation.__qualname__ = name
    return operation


def _method(operation: BoundOperation):
    names, types = [], []
    if operation.body_credentials:
        names += list(operation.body_credentials)
        credential = Unicode if operation.operation.optional_credentials else CREDENTIAL
        types += [credential, credential]
    for name, model in operation.params:
        names.append(name)
        types.append(model)
    options = {
        "_args": names,
        "_in_message_name": operation.request_tag,
        "_out_message_name": operation.response_tag,
    }
    if operation.operation.results:
        options["_returns"] = tuple(model for _, model in operation.operation.results)
        options["_out_variable_names"] = tuple(name for name, _ in operation.operation.results)
    elif operation.operation.returns is not None:
        options["_returns"] = operation.operation.returns
    return rpc(*types, **options)(_stub(operation.wire_name))


def build_models(endpoint: Endpoint) -> EndpointModels:
    members = {op.wire_name: _method(op) for op in endpoint.operations}
    service = type(endpoint.port_type, (Service,), members)
    application = Application([service], tns=endpoint.namespace, name=f"{endpoint.name}",
                              in_protocol=Soap11(), out_protocol=Soap11())
    operations = {
        name: OperationModels(descriptor.in_message, descriptor.out_message)
        for name, descriptor in service.public_methods.items()
    }
    return EndpointModels(application, operations)
