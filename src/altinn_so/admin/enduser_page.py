"""The admin page's "act as the end user" view (``/_admin/enduser``; docs/behaviour/forms.md): a person picks a
reportee, sees its worklist, opens a form task, edits its forms' XML in a text area, saves, signs and submits it,
and sees the archive reference it was archived under.

Like the rest of the page it is plain HTML with no scripts: GET forms choose what is shown, POST forms act
(``action`` = ``save``, ``sign`` or ``submit``). An action that succeeds redirects back to the task (303, so that a
reload does not repeat it); one that is refused shows the task again with the reason and the text as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qs, urlencode

from ..domain.elements import SECURITY_LEVELS
from ..domain.values import digits_number
from ..domain.worklist import NotActive, UnknownElement, WorklistError
from .page import _document, _table, _td, _time

PATH = "/_admin/enduser"
ACTIONS = ("save", "sign", "submit")
_DONE = {"save": "Saved.", "sign": "Signed.", "submit": "Submitted."}


@dataclass
class Outcome:
    """What a POST came to: a redirect (``location``), or the view again with an error and its HTTP status."""

    status: int
    location: str = ""
    html: str = ""


@dataclass
class _View:
    reportee: str = ""
    element_id: int | None = None
    done: str = ""
    error: str = ""
    typed: dict[str, str] = field(default_factory=dict)  # data format id -> the XML as typed, after a refusal


def _query(text: str) -> dict[str, str]:
    return {key: values[-1].strip() for key, values in parse_qs(text, keep_blank_values=True).items()}


def _href(**params) -> str:
    return PATH + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def render(emulator, query_string: str) -> str:
    query = _query(query_string)
    element_id = query.get("element", "")
    return _render(emulator, _View(query.get("reportee", ""), digits_number(element_id),
                                   query.get("done", "") if query.get("done") in _DONE else ""))


def act(emulator, body: bytes) -> Outcome:
    """A POSTed form: do its action as the end user, then redirect to the task, or show why it was refused."""
    form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace"),
                                                          keep_blank_values=True).items()}
    action, element = form.get("action", ""), form.get("element", "").strip()
    view = _View(form.get("reportee", "").strip(), digits_number(element))
    worklist = emulator.worklist
    try:
        if action not in ACTIONS or view.element_id is None:
            raise WorklistError(f"say which form task (element) and what to do with it: one of {list(ACTIONS)}")
        if action == "save":
            data_format_id = form.get("data_format_id", "")
            view.typed = {data_format_id: form.get("xml", "")}
            worklist.set_form_xml(view.element_id, data_format_id, form.get("xml", "").replace("\r\n", "\n"))
        elif action == "sign":
            worklist.sign(view.element_id, form.get("signer", "").strip(), _level(form))
        else:
            worklist.submit(view.element_id, submitter=form.get("submitter", "").strip() or None,
                            security_level=_level(form))
    except WorklistError as exc:
        view.error = str(exc)
        status = 404 if isinstance(exc, UnknownElement) else 409 if isinstance(exc, NotActive) else 400
        return Outcome(status, html=_render(emulator, view))
    return Outcome(303, location=_href(reportee=view.reportee, element=view.element_id, done=action))


def _level(form: dict) -> int | None:
    level = form.get("security_level", "").strip()
    if not level:
        return None
    if not level.isdigit():
        raise WorklistError(f"security_level must be a whole number, not {level!r}")
    return int(level)


def _render(emulator, view: _View) -> str:
    element = emulator.reportee_elements.get_element(view.element_id) if view.element_id is not None else None
    reportee = view.reportee or (element.reportee if element else "")
    parts = [_intro(), _picker(emulator, reportee)]
    if view.error:
        parts.append(f'<p class="error" id="error" role="alert">{escape(view.error)}</p>')
    if reportee:
        parts.append(_worklist(emulator, reportee))
    if element is not None:
        parts.append(_task(emulator, element, view))
    elif view.element_id is not None:
        parts.append(f'<section id="task"><p class="empty">No worklist element {view.element_id}.</p></section>')
    nav = ('<a href="/_admin/">Journal and state</a><a href="#worklist">Worklist</a><a href="#task">Form task</a>'
           '<a href="/_admin/data">Test data</a>')
    return _document(emulator, nav, "".join(parts), _STYLE)


_STYLE = """<style>
p.error { color: #a40000; font-weight: 600; background: #fff0f0; border: 1px solid #e8b4b4; padding: 8px; }
p.done { color: #196c2e; font-weight: 600; }
textarea { width: 100%; min-height: 16em; font: 13px/1.4 ui-monospace, monospace; box-sizing: border-box; }
form.act { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 8px 0; }
form.act label { display: flex; flex-direction: column; font-size: 12px; color: #444; }
</style>"""


def _intro() -> str:
    return ('<p class="muted">Act as the end user in Altinn\'s portal: pick a reportee, open a form task of its '
            "worklist, change its forms' XML, sign and submit it. The same actions are in the admin API "
            "(<code>/_admin/elements/…</code>).</p>")


def _picker(emulator, chosen: str) -> str:
    registry = emulator.registry
    options = [(p.ssn, f"{p.name} ({p.ssn})") for p in registry.list_persons()]
    options += [(o.orgno, f"{o.name} ({o.orgno})") for o in registry.list_organisations()]
    options += [(u.username, f"{u.name} ({u.username})") for u in registry.list_users()]
    items = "".join(f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(shown)}'
                    f"</option>" for value, shown in [("", "choose a reportee"), *options])
    return (f'<form class="filters" method="get" action="{PATH}"><label>reportee'
            f'<select name="reportee" id="reportee">{items}</select></label>'
            f'<button type="submit">Show the worklist</button></form>')


def _worklist(emulator, reportee: str) -> str:
    rows = []
    for element in emulator.worklist.worklist(reportee):
        service = emulator.catalog.get_service(element.service_code, element.service_edition)
        rows.append([_td(element.id), _td(f"{element.service_code}/{element.service_edition}"),
                     _td(service.name if service else ""), _td(_time(element.created_at)),
                     _td(_time(element.due_at) if element.due_at else ""),
                     _td(", ".join(f.data_format_id for f in element.forms)),
                     f'<td><a class="open" href="{escape(_href(reportee=reportee, element=element.id))}">open</a>'
                     f"</td>"])
    table = _table(["#", "service", "name", "created", "due", "forms", ""], rows,
                   "No active form task is visible in this worklist.")
    return f'<section id="worklist"><h2>Worklist of {escape(reportee)}</h2>{table}</section>'


def _task(emulator, element, view: _View) -> str:
    service = emulator.catalog.get_service(element.service_code, element.service_edition)
    title = f"Form task {element.id}: {service.name if service else element.service_code}"
    status = f'<p id="status">Status: <strong>{escape(element.status)}</strong>'
    if element.archive_reference:
        link = escape(f"/_admin/archive/{element.archive_reference}")
        status += (f' — archive reference <a id="archive-reference" href="{link}">'
                   f"{escape(element.archive_reference)}</a>")
    status += "</p>"
    done = ""
    if view.done and not view.error:
        done = f'<p class="done" id="done">{escape(_DONE[view.done])}</p>'
    active = element.status == "active"
    hidden = (f'<input type="hidden" name="element" value="{element.id}">'
              f'<input type="hidden" name="reportee" value="{escape(view.reportee or element.reportee)}">')
    forms = []
    for form in element.forms:
        xml = view.typed.get(form.data_format_id, form.form_data_xml)
        readonly = "" if active else " readonly"
        save = (f'<button type="submit" name="action" value="save">Save form {escape(form.data_format_id)}'
                f"</button>" if active else "")
        forms.append(f'<form class="form-xml" method="post" action="{PATH}">{hidden}'
                     f'<input type="hidden" name="data_format_id" value="{escape(form.data_format_id)}">'
                     f"<h3>Form {escape(form.data_format_id)} version {form.data_format_version}</h3>"
                     f'<textarea name="xml" id="xml-{escape(form.data_format_id)}" spellcheck="false"{readonly}>'
                     f"{escape(xml)}</textarea>{save}</form>")
    attachments = _table(["#", "name", "file", "type", "size"], [
        [_td(a.id), _td(a.name), f'<td><a href="{escape(f"/_admin/elements/{element.id}/attachments/{a.id}")}">'
         f"{escape(a.file_name)}</a></td>", _td(a.attachment_type), _td(f"{a.size} bytes")]
        for a in element.attachments], "No attachments.")
    signatures = _table(["signer", "signed", "security level"], [
        [_td(s.signer), _td(_time(s.signed_at)), _td(s.security_level_name)] for s in element.signatures],
        "Not signed.")
    actions = ""
    if active:
        levels = "".join(f'<option value="{level}">{level} {name}</option>'
                         for level, name in [("", "as the login says (2)")] +
                         [(str(i), n) for i, n in enumerate(SECURITY_LEVELS)])
        actions = (f'<form class="act" id="sign" method="post" action="{PATH}">{hidden}'
                   f'<label>signer<input type="text" name="signer" placeholder="national identity number"></label>'
                   f'<label>security level<select name="security_level">{levels}</select></label>'
                   f'<button type="submit" name="action" value="sign">Sign</button></form>'
                   f'<form class="act" id="submit" method="post" action="{PATH}">{hidden}'
                   f'<label>submitter<input type="text" name="submitter" '
                   f'placeholder="the person, for an organisation"></label>'
                   f'<label>security level<select name="security_level">{levels}</select></label>'
                   f'<button type="submit" name="action" value="submit" id="submit-button">Submit</button></form>')
    return (f'<section id="task"><h2>{escape(title)}</h2>{done}{status}{"".join(forms)}'
            f"<h3>Attachments</h3>{attachments}<h3>Signatures</h3>{signatures}{actions}</section>")
