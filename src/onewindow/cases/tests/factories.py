"""Lifecycle state built through the real services (STYLE.md §7)."""

from __future__ import annotations

import itertools
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases import services
from onewindow.cases.models import Application, Channel, MaterialState
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.selectors import registration_of
from onewindow.core.tests import samples
from onewindow.org import idcodes
from onewindow.org.models import Applicant, Region
from onewindow.org.services import applicant_register

# A real one-page PDF: uploads must open as what they claim to be (core.uploads).
PDF = samples.pdf()


def pdf(name: str = "material.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def enterprise(name: str = "常德市武陵区百姓大药房有限公司", seed: int = 1) -> Applicant:
    code = idcodes.generate_uscc(random.Random(seed), region6="430702")
    return applicant_register(
        actor=None,
        kind="entity",
        name=name,
        id_number=code,
        phone="13907360001",
        legal_representative="周建国",
    )


def person(name: str = "王小明", seed: int = 2) -> Applicant:
    import datetime as dt

    number = idcodes.generate_resident_id(random.Random(seed), region6="430702", birth=dt.date(1988, 5, 17))
    return applicant_register(actor=None, kind="person", name=name, id_number=number, phone="13907360002")


def county() -> Region:
    return Region.objects.get(code="430702000000")


def draft(
    officer,
    applicant,
    *,
    item: str | None = None,
    bundle: str | None = None,
    option: str | None = None,
    **extra,
) -> Application:
    b = Bundle.objects.get(code=bundle) if bundle else None
    chosen = {
        "item": ServiceItem.objects.get(code=item) if item else None,
        "bundle": b,
        "bundle_option": b.options.get(code=option) if b and option else None,
    }
    kind = registration_of(**chosen)
    if "form_data" not in extra and kind in ("establish", "individual"):
        extra["form_data"] = {"registration": registration_form(kind)}
    elif kind in ("change", "cancel"):
        if extra.pop("registered", True):
            in_register(applicant)
        if "form_data" not in extra:
            extra["form_data"] = {"registration": CHANGE_FORM if kind == "change" else CANCEL_FORM}
    return services.application_create(
        actor=officer,
        applicant=applicant,
        channel=extra.pop("channel", Channel.WINDOW),
        region=extra.pop("region", None) or county(),
        item=ServiceItem.objects.get(code=item) if item else None,
        bundle=b,
        bundle_option=b.options.get(code=option) if b and option else None,
        **extra,
    )


_trade_names = itertools.cycle([f"{a}{b}" for a in "鼎盛恒泰嘉华宏远瑞丰" for b in "达兴隆源祥和安信诚"])


def registration_form(kind: str) -> dict:
    """A complete registration form (设立登记 or 个体工商户登记) with a trade name and an address not
    used before in this test process (the register refuses a duplicate name in the county, and a
    shared address needs the window's confirmation)."""
    from onewindow.enterprises.tests.factories import company_form, individual_form

    trade_name = next(_trade_names)
    if kind == "establish":
        return company_form(trade_name, address=f"湖南省常德市武陵区{trade_name}大道1号")
    return individual_form(trade_name)


# A change that differs from ``registration_form``'s scope, and a cancellation needing no liquidation.
CHANGE_FORM = {"scope": ["餐饮管理"]}
CANCEL_FORM = {"reason": "other"}


def in_register(applicant: Applicant) -> None:
    """Enter an entity applicant into the market-entity register (存量入册, with the code it has),
    so that its 变更 or 注销 can be applied for; nothing if it is there already."""
    import datetime as dt

    from onewindow.enterprises.models import Enterprise
    from onewindow.enterprises.services import enterprise_record_existing
    from onewindow.org.models import Department

    if Enterprise.objects.filter(applicant=applicant).exists():
        return
    enterprise_record_existing(
        actor=None,
        kind="establish",
        uscc=applicant.id_number,
        established_on=dt.date(2020, 6, 1),
        data=registration_form("establish"),
        region=county(),
        authority=Department.objects.get(code="SCJG"),
    )
    applicant.refresh_from_db()


def provide_all(officer, application: Application, *, skip: tuple[str, ...] = ()) -> None:
    for row in application.materials.select_related("material"):
        if row.material.key not in skip and row.state == MaterialState.MISSING:
            services.application_attach_material(
                actor=officer, application=application, material_key=row.material.key, upload=pdf()
            )


def accepted(officer, applicant, **kwargs) -> Application:
    application = draft(officer, applicant, **kwargs)
    provide_all(officer, application)
    application = services.application_submit(actor=officer, application=application)
    return services.application_accept(actor=officer, application=application)


def department_staff(code: str, *, leader: bool = False):
    """A reviewer (and, with ``leader``, also a leader) of the department with this code."""
    from onewindow.org.models import Department
    from onewindow.org.roles import Role
    from onewindow.org.services import RoleSpec, staff_create

    department = Department.objects.get(code=code)
    username = f"t_{code.lower()}_{'leader' if leader else 'reviewer'}"
    roles = [RoleSpec(role=Role.REVIEWER, department=department)]
    if leader:
        roles.append(RoleSpec(role=Role.LEADER, department=department))
    from onewindow.org.models import Staff

    existing = Staff.objects.filter(user__username=username).first()
    if existing:
        return existing.user
    return staff_create(
        actor=None,
        username=username,
        name=f"{department.short_name}审批员",
        employee_no=f"T-{username}",
        password="pw-123456",
        roles=roles,
        department=department,
    ).user


def decide_through_review(case, *, approve: bool = True, basis: str = "符合法定条件"):
    """Review (answering any opinion requests), then decide, as the case's department."""
    from onewindow.cases.models import CaseStatus

    reviewer = department_staff(case.department.code)
    if case.status == CaseStatus.ACCEPTED and (case.item_version.is_instant or case.commitment):
        return services.case_decide(actor=reviewer, case=case, approve=approve, basis=basis)
    if case.status == CaseStatus.ACCEPTED:
        case = services.case_start_review(actor=reviewer, case=case)
    for opinion in case.opinions.filter(given_at__isnull=True):
        services.opinion_give(
            actor=department_staff(opinion.department.code), opinion=opinion, verdict="conforms"
        )
    if case.status == CaseStatus.REVIEWING:
        case = services.case_submit_for_decision(actor=reviewer, case=case)
    return services.case_decide(actor=reviewer, case=case, approve=approve, basis=basis)
