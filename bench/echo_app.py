"""The floor of the HTTP benchmark: a minimal SOAP endpoint written with lxml, served like the emulator.

It reads the request, parses the envelope with lxml and answers with an envelope holding the request's
body element, serialised with lxml: what any Python SOAP server does at the least, with no contract,
no state and no journal.
"""

from lxml import etree

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    request = etree.fromstring(environ["wsgi.input"].read(length), _PARSER)
    body = request.find(f"{{{SOAP11_ENV}}}Body")
    envelope = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"s": SOAP11_ENV})
    etree.SubElement(envelope, f"{{{SOAP11_ENV}}}Body").append(body[0])
    payload = etree.tostring(envelope)
    start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(payload)))])
    return [payload]
