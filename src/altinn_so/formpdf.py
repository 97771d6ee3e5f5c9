"""A form set as a PDF (GetFormSetPdf; docs/behaviour/download-queue.md), written with fpdf2.

The rules give a ``FormSetDocument`` (a title, facts about the archived task, each form's fields and values);
this writes it as an A4 PDF a reader opens and whose text can be searched and copied. The PDF core fonts carry
Latin-1 (Norwegian letters among them); a character outside it is written as ``?``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

_FONT = "Helvetica"
_LABEL_WIDTH = 60  # mm: the field names' column


def _text(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")


def render_form_set(document) -> bytes:
    # Imported on the first PDF, not at start: fpdf2 and the imaging library it loads take about 0.4 s to import,
    # which every start of the emulator would pay for an operation few tests call.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_text(document.title))
    pdf.set_creator("altinn-so")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 9, _text(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(_FONT, size=10)
    for label, value in document.facts:
        _row(pdf, label, value)
    for heading, fields in document.forms:
        pdf.ln(4)
        pdf.set_font(_FONT, "B", 12)
        pdf.multi_cell(0, 7, _text(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, size=10)
        for name, value in fields:
            _row(pdf, name, value)
    return bytes(pdf.output())


def _row(pdf: FPDF, label: str, value: str) -> None:
    top = pdf.get_y()
    pdf.multi_cell(_LABEL_WIDTH, 6, _text(label), new_x="RIGHT", new_y="TOP")
    pdf.multi_cell(0, 6, _text(value) or "-", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 6))
