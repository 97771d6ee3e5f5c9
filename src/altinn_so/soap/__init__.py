"""The SOAP wire layer: spyne models, the binding table, WSDLs and the WSGI application.

``compat`` is imported first so spyne imports on every supported Python.
"""

from . import compat  # noqa: F401
