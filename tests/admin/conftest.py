"""Fixtures of the admin tests: the admin API and SOAP clients against the live test server."""

from __future__ import annotations

import pytest

from altinn_so.app import EmulatorApp

from .helpers import AdminApi, Soap


@pytest.fixture
def admin(base_url) -> AdminApi:
    api = AdminApi(base_url)
    yield api
    api.http.close()


@pytest.fixture
def soap(base_url) -> Soap:
    return Soap(base_url)


@pytest.fixture
def serve(_server, base_url):
    """Serve another emulator (or the same one with other options) on the test server; returns its URL."""
    served, url = _server

    def plug(emulator, **options) -> str:
        served.app = EmulatorApp(emulator, **options)
        return url

    return plug
