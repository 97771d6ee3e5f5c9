"""ContextHandlerExternal, declared once for Basic, WS, EC and EC2 (docs/behaviour/context-handler.md).

Only EC and EC2 have real WSDLs (interface ``IContextHandlerEC``/``…EC2``, namespace
``http://www.altinn.no/services/ServiceEngine/ContextHandler/2014/10``, operation
``GetReporteeElementContextExternalEC``). EC declares its parameters optional and nillable, EC2 required. Basic and
WS are inferred from EC2: the same namespace, types and parameters, the interface ``IContextHandlerExternal`` (Basic:
with "Basic"), the operation ``GetReporteeElementContextExternalBasic`` and ``GetReporteeElementContextExternal``.
Endpoints under ``/ServiceEngineExternal/``: ``ContextHandlerExternalBasic.svc``, ``ContextHandlerExternal.svc``,
``ContextHandlerEC.svc`` and ``ContextHandlerEC2.svc``.
"""

from __future__ import annotations

from spyne import Integer32

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from . import wire_types_ec as types_ec
from .rules import BROKER

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/ContextHandler/2014/10"
_REQUIRED = {"min_occurs": 1, "nillable": False}
_NAME = "GetReporteeElementContextExternal"


def element_context(call, args) -> dict:
    found = call.emulator.context_handler.element_context(call.caller, codec.value(args, "reporteeElementID"))
    return {"ProcessStepID": found.process_step, "Reportee": found.reportee, "ServiceCode": found.service_code,
            "ServiceEditionCode": found.service_edition, "ServiceType": found.service_type}


def element_context_ec(call, args) -> dict:
    # the EC contract's ServiceType has no Broker: a broker shipment is "None" there (D121)
    found = element_context(call, args)
    return {**found, "ServiceType": "None" if found["ServiceType"] == BROKER else found["ServiceType"]}


def _operation(bindings: set[str], handler, parameter, returns, **options) -> Operation:
    return Operation("GetReporteeElementContext", handler, bindings=frozenset(bindings),
                     wire_names={"basic": _NAME + "Basic", "ws": _NAME, "ec": _NAME + "EC", "ec2": _NAME + "EC"},
                     params=(("reporteeElementID", parameter),), returns=returns, **options)


CONTEXT_HANDLER = ServiceContract(
    name="ContextHandler",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    interfaces={"basic": "IContextHandlerExternal"},
    service_names={"basic": "ContextHandlerExternalBasicSF", "ws": "ContextHandlerExternalSF"},
    endpoint_names={"basic": "ContextHandlerExternalBasic", "ws": "ContextHandlerExternal"},
    operations=(
        _operation({"basic", "ws", "ec2"}, element_context, Integer32(**_REQUIRED),
                   types.ReporteeElementContextExternalBE),
        # the EC contract, the older, declares the credentials and the id optional, and knows no broker
        _operation({"ec"}, element_context_ec, Integer32(nillable=False), types_ec.ReporteeElementContextExternalBE,
                   optional_credentials=True),
    ),
)
