"""XML namespaces of the SOAP envelopes and of Altinn's shared contracts."""

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
XML = "http://www.w3.org/XML/1998/namespace"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE_PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
                      "oasis-200401-wss-username-token-profile-1.0#PasswordText")

# Every Altinn contract derives from IAltinnContractBase (the Test operation) and faults with AltinnFault.
ALTINN_BASE = "http://www.altinn.no/services/2009/10"
ALTINN_FAULT = "http://www.altinn.no/services/common/fault/2009/10"
MS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"

# WSDL
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"
WSP = "http://schemas.xmlsoap.org/ws/2004/09/policy"
SOAP_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"
