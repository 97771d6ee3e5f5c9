"""The end user's actions in the admin API (docs/behaviour/forms.md, "The end user's actions"): a test acts as
the person in Altinn's portal. Core routes, not a service's: the worklist and the archive belong to the forms
model every form service shares. Each answers JSON, except an attachment's content, which is its bytes."""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass

from ..domain.worklist import NotActive, UnknownElement, WorklistError
from .errors import ApiError

_ELEMENT = r"/elements/(?P<id>\d{1,18})"
_ATTACHMENT = _ELEMENT + r"/attachments/(?P<attachment>\d{1,18})"


@dataclass(frozen=True)
class Content:
    """A handler's answer that is not JSON: bytes of a content type (an attachment's content)."""

    body: bytes
    content_type: str
    file_name: str = ""


def _answers_worklist_errors(handler):
    """UnknownElement is 404, NotActive 409 and any other WorklistError 400, with the domain's message."""
    @functools.wraps(handler)
    def answer(self, request):
        try:
            return handler(self, request)
        except UnknownElement as exc:
            raise ApiError(404, str(exc)) from None
        except NotActive as exc:
            raise ApiError(409, str(exc)) from None
        except WorklistError as exc:
            raise ApiError(400, str(exc)) from None
    return answer


def _json_fields(data: dict, allowed: set[str], what: str) -> dict:
    unknown = set(data) - allowed
    if unknown:
        raise ApiError(400, f"{what} takes {sorted(allowed)}, not {sorted(unknown)}")
    return data


class WorklistRoutes:
    """The routes, given the emulator; ``routes()`` are (method, pattern, handler) for ``AdminApi``."""

    def __init__(self, emulator):
        self.emulator = emulator

    def routes(self):
        return [
            ("GET", r"/worklist/(?P<reportee>[^/]{1,64})", self.worklist),
            ("GET", _ELEMENT, self.element),
            ("PUT", _ELEMENT + r"/forms/(?P<form>[^/]{1,64})", self.put_form),
            ("PATCH", _ELEMENT + r"/forms/(?P<form>[^/]{1,64})", self.patch_form),
            ("POST", _ELEMENT + "/attachments", self.add_attachment),
            ("GET", _ATTACHMENT, self.attachment),
            ("DELETE", _ATTACHMENT, self.remove_attachment),
            ("POST", _ELEMENT + "/sign", self.sign),
            ("POST", _ELEMENT + "/submit", self.submit),
            ("GET", "/archive", self.archive),
            ("GET", r"/archive/(?P<reference>AR\d{1,18})", self.archived),
        ]

    @property
    def _worklist(self):
        return self.emulator.worklist

    @staticmethod
    def _id(request) -> int:
        return int(request.params["id"])

    @_answers_worklist_errors
    def worklist(self, request):
        reportee = request.params["reportee"]
        return {"reportee": reportee, "elements": [e.to_dict() for e in self._worklist.worklist(reportee)]}

    @_answers_worklist_errors
    def element(self, request):
        return self._worklist.element(self._id(request)).to_dict()

    @_answers_worklist_errors
    def put_form(self, request):
        try:
            xml = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the form's XML must be UTF-8 text") from None
        return self._worklist.set_form_xml(self._id(request), request.params["form"], xml).to_dict()

    @_answers_worklist_errors
    def patch_form(self, request):
        data = _json_fields(request.json(), {"fields"}, "a form's PATCH")
        if not isinstance(data.get("fields"), dict):
            raise ApiError(400, 'give the fields to change: {"fields": {"Root/Element": "text", ...}}')
        return self._worklist.set_fields(self._id(request), request.params["form"], data["fields"]).to_dict()

    @_answers_worklist_errors
    def add_attachment(self, request):
        data = _json_fields(request.json(), {"name", "file_name", "attachment_type", "data"}, "an attachment")
        if not isinstance(data.get("data"), str):
            raise ApiError(400, "an attachment's data is its content in base64")
        try:
            content = base64.b64decode(data["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "an attachment's data is not valid base64") from None
        attachment_type = data.get("attachment_type")
        if attachment_type is not None and not isinstance(attachment_type, str):
            raise ApiError(400, "attachment_type is a MIME type, e.g. application/pdf")
        attachment = self._worklist.add_attachment(self._id(request), data.get("name"), data.get("file_name"),
                                                   content, attachment_type)
        return 201, attachment.to_dict()

    @_answers_worklist_errors
    def attachment(self, request):
        attachment, data = self._worklist.attachment_data(self._id(request), int(request.params["attachment"]))
        return Content(data, attachment.attachment_type, attachment.file_name)

    @_answers_worklist_errors
    def remove_attachment(self, request):
        return self._worklist.remove_attachment(self._id(request), int(request.params["attachment"])).to_dict()

    @_answers_worklist_errors
    def sign(self, request):
        data = _json_fields(request.json(), {"signer", "security_level"}, "signing")
        return self._worklist.sign(self._id(request), data.get("signer"), data.get("security_level")).to_dict()

    @_answers_worklist_errors
    def submit(self, request):
        data = _json_fields(request.json(), {"submitter", "security_level", "metadata"}, "submitting")
        submitter, metadata = data.get("submitter"), data.get("metadata")
        if submitter is not None and not isinstance(submitter, str):
            raise ApiError(400, "submitter is a person's national identity number or a username")
        if metadata is not None and not (isinstance(metadata, dict)
                                         and all(isinstance(v, str) for v in metadata.values())):
            raise ApiError(400, 'metadata is {"key": "text", ...}')
        level = data.get("security_level")
        if level is not None and (isinstance(level, bool) or not isinstance(level, int)):
            raise ApiError(400, "security_level is a whole number, 0 to 4")
        task = self._worklist.submit(self._id(request), submitter=submitter,
                                     security_level=level, metadata=metadata)
        return task.to_dict()

    def archive(self, request):
        reportee, newest = request.query.get("reportee") or None, request.positive("limit")
        tasks = [t for t in self.emulator.archive.list_archived(None if reportee else newest)
                 if reportee in (None, t.reportee)]
        return {"archive": [t.to_dict() for t in (tasks[-newest:] if newest else tasks)]}

    def archived(self, request):
        reference = request.params["reference"]
        task = self.emulator.archive.get_archived(reference)
        if task is None:
            raise ApiError(404, f"no archived form task {reference}")
        log = self.emulator.archive.shipment_log(reference)
        return {**task.to_dict(), "shipment_log": [entry.to_dict() for entry in log]}
