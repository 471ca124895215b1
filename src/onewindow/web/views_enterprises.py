"""The 商务秘书企业 hosting register (托管名册) for the registering authority (市场监管, seed 001 内江):
each hosting company's places taken and free, its 托管协议 and their last days, and the hosted
enterprises that must register a new address because their agreement has ended.

Who sees what: ``hosting.view`` over the company's ``authority`` department (its reviewers and
leaders, and supervisors and administrators whose scope covers it; ``enterprises.apps``). Staff
without it anywhere get the 403 page; staff of another department see no company: the list is a
403 and a company's page a 404, worded as for an unknown company.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.core.errors import InvalidInput, NotFound
from onewindow.core.timeutil import today
from onewindow.enterprises.selectors import (
    AGREEMENT_ENDING_WITHIN_DAYS,
    NEARLY_FULL_PERCENT,
    hosting_company_get_for_user,
    hosting_company_list_for_user,
    hosting_company_register,
)
from onewindow.web.access import forbidden, not_found, staff_page


@require_GET
@staff_page("hosting.view")
def hosting_list(request: HttpRequest) -> HttpResponse:
    """``/department/hosting/``: the hosting companies of the user's registering authority."""
    on = today()
    entries = hosting_company_list_for_user(request.user, on=on)
    if not entries:
        return forbidden(
            request,
            _(
                "商务秘书企业托管名册由其登记机关（市场监管部门）查看；您的账号所在部门没有登记的商务秘书企业。"
            ),
        )
    authorities = list(dict.fromkeys(e.company.authority.name for e in entries))
    context = {
        "entries": entries,
        "authorities": authorities,
        "on": on,
        "within_days": AGREEMENT_ENDING_WITHIN_DAYS,
        "nearly_full_percent": NEARLY_FULL_PERCENT,
    }
    return render(request, "web/dept/hosting_list.html", context)


@require_GET
@staff_page("hosting.view")
def hosting_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    """``/department/hosting/<uscc>/``: one company's facts, agreements and address changes; 404
    for a malformed or unknown code and for a company of another authority."""
    try:
        company = hosting_company_get_for_user(uscc=uscc, user=request.user)
    except (InvalidInput, NotFound) as exc:
        return not_found(request, str(exc))
    context = {
        "register": hosting_company_register(company=company),
        "within_days": AGREEMENT_ENDING_WITHIN_DAYS,
    }
    return render(request, "web/dept/hosting_detail.html", context)
