"""Plain Django views of the licences app: the published public keys and the licence PDF."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from onewindow.core.errors import InvalidInput, NotFound
from onewindow.licences.pdf import licence_pdf
from onewindow.licences.selectors import licence_get, published_keys_document
from onewindow.org.authz import can


@require_GET
@cache_control(public=True, max_age=300)
def well_known_keys(request: HttpRequest) -> JsonResponse:
    """``/.well-known/onewindow-keys.json``: every public key that signed licences here."""
    return JsonResponse(published_keys_document(), json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_GET
def licence_pdf_download(request: HttpRequest, number: str) -> HttpResponse:
    """``/licences/<number>.pdf`` for staff who may view the licence (holders get it at delivery)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        licence = licence_get(number=number)
    except (InvalidInput, NotFound) as exc:
        raise Http404(str(exc)) from exc
    if not can(request.user, "licence.view", department=licence.department):
        raise DjangoPermissionDenied("无权查看该证照")
    response = HttpResponse(licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{licence.number}.pdf"'
    return response
