"""The formal letter (and the answer, once given) as a PDF in Chinese (WeasyPrint, Noto CJK)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import override

from dispatch.models import Case, DeadlineLetter


def letter_pdf(letter: DeadlineLetter) -> bytes:
    """The formal letter (and the answer, once given) as a PDF with Chinese fonts."""
    from weasyprint import HTML

    with override("zh-hans"):
        html = render_to_string("dispatch/letter_pdf.html", {
            "letter": letter,
            "cases": Case.objects.filter(letters=letter).select_related("category", "grid").defer("grid__boundary")
            .order_by("number"),
        })
    return HTML(string=html).write_pdf()


def letter_pdf_response(letter: DeadlineLetter) -> HttpResponse:
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response
