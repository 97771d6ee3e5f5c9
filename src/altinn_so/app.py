"""The emulator's whole WSGI application: Altinn's SOAP endpoints, plus the admin API and page under /_admin."""

from __future__ import annotations

from .admin.api import PREFIX, AdminApi
from .admin.page import Page
from .soap.routes import Routes, routes_of
from .soap.wsgi import SoapApplication, WireSettings


class EmulatorApp:
    def __init__(self, emulator, *, wire: WireSettings = WireSettings(), routes: Routes | None = None,
                 deliver=None, admin_token: str | None = None):
        self.emulator = emulator
        routes = routes or routes_of(emulator.services)
        self.soap = SoapApplication(emulator, routes, wire)
        self.admin = AdminApi(emulator, deliver=deliver, page=Page(routes, emulator.services),
                              token=admin_token)

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self.admin(environ, start_response)
        return self.soap(environ, start_response)
