"""Seeds of form services that push their submissions (docs/behaviour/push.md), for the push's tests."""

from __future__ import annotations

PUSHED_FORM = ("5800", 1, "5703", 34301)  # (service code, edition, data format id, version) as archived_task takes


def pushing_services(*services: str) -> str:
    """A seed giving TTD the ``services`` (each from ``pushing_service``)."""
    return ("service_owners:\n  - code: TTD\n    orgno: \"310001007\"\n    name: Testdepartementet\n"
            "    services:\n" + "".join(services))


def pushing_service(url: str, code: str = "5800", *, metadata: tuple[str, ...] = (), **push) -> str:
    """A form service ``code``/1 (form 5703/34301) pushing to ``url``; ``push`` adds to the receiver's settings."""
    settings = "".join(f"\n          {key}: {value}" for key, value in push.items())
    listed = f"\n        shipment_metadata: [{', '.join(metadata)}]" if metadata else ""
    return f"""      - code: "{code}"
        edition: 1
        kind: form
        name: Søknad om tilskudd
        forms: [{{data_format_id: "5703", data_format_version: 34301, name: Søknad}}]{listed}
        push:
          url: "{url}"{settings}
"""
