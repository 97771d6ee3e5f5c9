"""The admin API's error answer, apart from ``admin.api`` so that the modules of its routes can raise it."""

from __future__ import annotations


class ApiError(Exception):
    """An answer with a 4xx status and JSON ``{"error": message}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
