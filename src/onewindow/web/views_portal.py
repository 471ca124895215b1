"""The citizen portal: catalogue search, 办事指南 (item and bundle, HTML and PDF), public tracking.
No login; nothing here writes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases.selectors import application_track, delivery_for_tracking
from onewindow.catalog.models import Audience, Topic
from onewindow.catalog.selectors import bundle_get, bundle_list, item_get, item_list_search
from onewindow.core.errors import NotFound
from onewindow.core.throttle import Throttled, guarded_lookup
from onewindow.org.selectors import department_list_active, hall_get_main
from onewindow.web.access import not_found, throttled_page
from onewindow.web.guide_pdf import bundle_guide_pdf, item_guide_pdf
from onewindow.web.guides import bundle_guide, item_guide

PAGE_SIZE = 20


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """``/guide/``: search by name, pinyin initials, code, department or topic; filter by
    department, topic and audience. Bundles (一件事) are listed first."""
    query = request.GET.get("q", "").strip()[:50]
    department = request.GET.get("department", "").strip()[:32]
    topic = request.GET.get("topic", "").strip()[:40]
    audience = request.GET.get("audience", "").strip()
    if audience not in Audience.values:
        audience = ""
    items = item_list_search(
        query=query, department=department or None, topic=topic or None, audience=audience or None
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    bundles = bundle_list()
    if topic:
        bundles = bundles.filter(topics__code=topic)
    if query:
        bundles = bundles.filter(name__icontains=query)
    main = hall_get_main()
    context = {
        "query": query,
        "department": department,
        "topic": topic,
        "audience": audience,
        "page": page,
        "bundles": bundles if not department else [],
        "departments": department_list_active(region=main.region if main else None)
        .filter(parent__isnull=True)
        .order_by("code"),
        "topics": Topic.objects.filter(items__isnull=False).distinct().order_by("code"),
        "audiences": Audience.choices,
        "filtered": bool(query or department or topic or audience),
    }
    return render(request, "web/portal/catalogue.html", context)


def _item_or_404(request: HttpRequest, code: str):
    try:
        return item_get(code=code), None
    except NotFound as exc:
        return None, not_found(request, str(exc))


def _bundle_or_404(request: HttpRequest, code: str):
    try:
        bundle = bundle_get(code=code)
    except NotFound as exc:
        return None, None, not_found(request, str(exc))
    option_code = request.GET.get("option", "").strip()[:20]
    option = None
    if option_code:
        option = next((o for o in bundle.options.all() if o.code == option_code), None)
        if option is None:
            return (
                None,
                None,
                not_found(
                    request,
                    _("“%(name)s”没有编码为“%(code)s”的套餐") % {"name": bundle.name, "code": option_code},
                ),
            )
    return bundle, option, None


@require_GET
def item_page(request: HttpRequest, code: str) -> HttpResponse:
    """``/guide/item/<code>``: the item's 办事指南."""
    item, error = _item_or_404(request, code)
    if error:
        return error
    return render(
        request,
        "web/portal/item.html",
        {"guide": item_guide(item), "item": item, "version": item.current_version},
    )


@require_GET
def item_pdf(request: HttpRequest, code: str) -> HttpResponse:
    item, error = _item_or_404(request, code)
    if error:
        return error
    main = hall_get_main()
    content = item_guide_pdf(item_guide(item), main.name if main else "")
    return _pdf_response(content, f"guide-{item.code}.pdf")


@require_GET
def bundle_page(request: HttpRequest, code: str) -> HttpResponse:
    """``/guide/bundle/<code>[?option=X]``: the bundle's guide, for all its items or one option."""
    bundle, option, error = _bundle_or_404(request, code)
    if error:
        return error
    return render(request, "web/portal/bundle.html", {"guide": bundle_guide(bundle, option)})


@require_GET
def bundle_pdf(request: HttpRequest, code: str) -> HttpResponse:
    bundle, option, error = _bundle_or_404(request, code)
    if error:
        return error
    main = hall_get_main()
    content = bundle_guide_pdf(bundle_guide(bundle, option), main.name if main else "")
    suffix = f"-{option.code}" if option else ""
    return _pdf_response(content, f"guide-{bundle.code}{suffix}.pdf")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """``/track``: an application's progress by its number and the last 4–6 characters of the
    applicant's ID number or credit code. An unknown number and a wrong suffix look the same."""
    number = request.GET.get("number", "").strip()[:40]
    suffix = request.GET.get("suffix", "").strip()[:6]
    context: dict = {"number": number, "suffix": suffix, "result": None, "error": ""}
    status = 200
    if number or suffix:
        try:
            context["result"] = guarded_lookup(
                request, "track", number, lambda: application_track(number, suffix)
            )
            context["delivery"] = delivery_for_tracking(context["result"].number)
        except Throttled as exc:
            return throttled_page(request, "web/portal/track.html", context, exc)
        except NotFound as exc:
            context["error"] = str(exc)
            status = 404
    return render(request, "web/portal/track.html", context, status=status)
