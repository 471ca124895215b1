"""The public licence check (扫码核验): what an inspector sees after scanning a licence's QR code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.licences import signing
from onewindow.licences.selectors import VERDICT_LABELS, licence_verify


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """``/verify/<number>`` (no login): status in big text and colour, public fields, signature.

    A scanned QR code adds ``?p=…&k=…&s=…``; the page then also checks that the code is the
    licence library's own. Unknown numbers get 404, never an error page.
    """
    code = None
    if "s" in request.GET or "k" in request.GET:
        try:
            code = signing.code_parse(request.get_full_path())
        except ValueError:
            code = signing.Code(number=number, payload=None, key_id="", signature="")
    result = licence_verify(number=number, code=code)
    context = {"result": result, "label": VERDICT_LABELS[result.verdict]}
    return render(request, "web/verify.html", context, status=404 if result.verdict == "not_found" else 200)
