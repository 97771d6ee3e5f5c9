"""AuthorizationDecisionPointExternal on WS, the one binding Altinn offered it on (docs/behaviour/decision-point.md).

No WSDL of it is public: the contract is **inferred** (D133). Its names follow what traces of it show (a Java client
generated from the real WSDL: package ``no.altinn.services.authorization.decisionpoint._2010._10``, interface
``IAuthorizationDecisionPointExternal``, operation ``AuthorizeAccessExternal`` taking one string and answering one,
its fault ``…_AuthorizeAccessExternal_AltinnFaultFault_FaultMessage``) and the pattern of Altinn's other WS
services: namespace ``http://www.altinn.no/services/Authorization/DecisionPoint/2010/10``, the parameter
``XACMLRequest`` (Altinn's documentation), the result ``AuthorizeAccessExternalResult``, SOAP 1.2 with the
credentials in a UsernameToken, at ``/AuthorizationExternal/AuthorizationDecisionPointExternal.svc``.
"""

from __future__ import annotations

from spyne import Unicode

from altinn_so.soap.contract import Operation, ServiceContract

from .xacml import parse_request, response_text

NAMESPACE = "http://www.altinn.no/services/Authorization/DecisionPoint/2010/10"


def authorize_access(call, args) -> str:
    request = parse_request(args.get("XACMLRequest"))
    return response_text(call.emulator.decision_point.decide(request))


DECISION_POINT = ServiceContract(
    name="AuthorizationDecisionPointExternal",
    area="AuthorizationExternal",
    bindings=("ws",),
    namespaces={"basic": NAMESPACE},  # WS is of the "basic" family (soap.bindings)
    operations=(
        Operation("AuthorizeAccessExternal", authorize_access, params=(("XACMLRequest", Unicode),), returns=Unicode),
    ),
)
