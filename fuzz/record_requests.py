"""pytest plugin for fuzz/run.py: writes every SOAP request the emulator receives to ``$ALTINN_SO_FUZZ_CORPUS``.

Each request becomes one JSON file (its path, content type, SOAP headers and body), named by its content,
so a request made by many tests is kept once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

from altinn_so.soap import wsgi

_KEPT_HEADERS = ("PATH_INFO", "CONTENT_TYPE")
_DROPPED_HEADERS = {"HTTP_HOST", "HTTP_CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT",
                    "HTTP_CONNECTION"}


def pytest_configure(config) -> None:
    corpus = Path(os.environ["ALTINN_SO_FUZZ_CORPUS"])
    answer = wsgi.SoapApplication.__call__

    def recording(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
            environ["wsgi.input"] = io.BytesIO(body)
            headers = {key: value for key, value in environ.items()
                       if key in _KEPT_HEADERS or (key.startswith("HTTP_") and key not in _DROPPED_HEADERS)}
            record = json.dumps({"environ": headers, "body": body.decode("utf-8", "replace")}, sort_keys=True)
            (corpus / f"{hashlib.sha1(record.encode()).hexdigest()[:16]}.json").write_text(record)
        return answer(self, environ, start_response)

    wsgi.SoapApplication.__call__ = recording
