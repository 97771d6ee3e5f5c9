"""What the admin API and page show of collaboration cases, and the admin's archive and delete of one."""

from __future__ import annotations

from altinn_so.admin.api import ApiError
from altinn_so.service import AdminRoute, Listing

from .rules import CaseNotFound

LISTINGS = (
    Listing(
        "cases", "collaboration_cases",
        read=lambda emulator, newest: emulator.case_store.list(newest),
        title="Collaboration cases",
        columns=("#", "created", "owner", "service", "reportee", "state", "notice", "status"),
        row=lambda c: [c.id, c.created_at, c.owner, f"{c.service_code}/{c.service_edition}", c.reportee, c.state,
                       c.notice_template or "", c.status],
        empty="No collaboration case yet."),
)


def get_case(emulator, request):
    """``GET /_admin/cases/{id}``: the case with its notice and the events it was told of."""
    case = emulator.case_store.get(int(request.params["id"]))
    if case is None:
        raise ApiError(404, f"no case {request.params['id']}")
    return case.to_dict()


def end_case(emulator, request):
    """``POST /_admin/cases/{id}/archive|delete``: the case leaves the running ones (never to the owner's archive)."""
    end = emulator.case.archive if request.params["step"] == "archive" else emulator.case.delete
    try:
        return end(int(request.params["id"])).to_dict()
    except CaseNotFound as exc:
        raise ApiError(404, str(exc)) from None


ADMIN_ROUTES = (
    AdminRoute("GET", r"/cases/(?P<id>\d{1,18})", get_case),
    AdminRoute("POST", r"/cases/(?P<id>\d{1,18})/(?P<step>archive|delete)", end_case),
)
