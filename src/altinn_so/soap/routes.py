"""Every endpoint the emulator serves, found by path (case-insensitively, as IIS did)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

from .contract import BoundOperation, Endpoint, ServiceContract
from .spyne_app import EndpointModels, build_models
from .wsdl import build_wsdl


@dataclass
class Route:
    endpoint: Endpoint
    models: EndpointModels
    by_action: dict[str, BoundOperation]
    by_tag: dict[str, BoundOperation]
    _wsdl_cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wsdl(self, address: str) -> bytes:
        cached = self._wsdl_cache.get(address)
        if cached is None:
            with self._lock:  # spyne's schema builder is not re-entrant
                cached = build_wsdl(self.endpoint, self.models, address)
            if len(self._wsdl_cache) < 64:
                self._wsdl_cache[address] = cached
        return cached


class Routes:
    def __init__(self, contracts: tuple[ServiceContract, ...]):
        self._by_path: dict[str, Route] = {}
        for contract in contracts:
            for endpoint in contract.endpoints():
                route = Route(
                    endpoint=endpoint,
                    models=build_models(endpoint),
                    by_action={op.action: op for op in endpoint.operations},
                    by_tag={op.request_tag: op for op in endpoint.operations},
                )
                self._by_path[endpoint.path.lower()] = route

    def find(self, path: str) -> Route | None:
        return self._by_path.get(path.lower().rstrip("/"))

    def __iter__(self):
        return iter(self._by_path.values())


@functools.cache
def routes_of(services: tuple) -> Routes:
    """The routes of ``services`` (``AltinnService`` values), built once per tuple of services: building the
    spyne models of every endpoint takes a while, and every emulator of a test run serves the same ones."""
    return Routes(tuple(contract for service in services for contract in service.contracts))
