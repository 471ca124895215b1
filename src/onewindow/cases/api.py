"""Application and case endpoints: intake at the window, back-office actions, the department
worklist, public tracking and the PDF notices. Handlers parse, call one service or selector and
shape the answer; every rule lives in ``cases.services`` and errors become problem+json."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer
from ninja.responses import codes_4xx

from onewindow.cases import notices, services
from onewindow.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseStatus,
    CorrectionNotice,
    Extension,
    Inspection,
    InspectionFinding,
    JointExtension,
    Opinion,
    OpinionVerdict,
    PostVerification,
)
from onewindow.cases.schemas import (
    KEY_PATTERN,
    MAX_ID,
    ApplicationCreateIn,
    ApplicationOut,
    CaseOut,
    CorrectionIn,
    CorrectionNoticeOut,
    DecideIn,
    DeliverIn,
    ExtensionDecideIn,
    ExtensionIn,
    ExtensionOut,
    FindingIn,
    FindingOut,
    InspectionIn,
    InspectionOut,
    JointExtensionIn,
    JointExtensionOut,
    LocalDatetime,
    MaterialMarkIn,
    MaterialOut,
    NoteIn,
    OpinionIn,
    OpinionOut,
    OpinionsRequestIn,
    Problem,
    RefuseIn,
    SuspendIn,
    TrackingOut,
    VerificationIn,
    VerificationOut,
    WorklistOut,
)
from onewindow.cases.selectors import (
    application_allowed_actions,
    application_detail,
    application_get_for_user,
    application_track,
    case_allowed_actions,
    case_detail,
    case_figures,
    case_get_for_user,
    department_get,
    department_get_for_case,
    due_day,
    extension_get_for_user,
    inspection_get_for_user,
    joint_extension_get_for_user,
    opinion_get_for_user,
    worklist_items,
)
from onewindow.catalog.selectors import bundle_get, item_get
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput
from onewindow.core.throttle import guarded_lookup
from onewindow.org.models import Applicant, Hall, Region, ServiceWindow
from onewindow.org.selectors import applicant_get_by_id_number, region_get, staff_for_user

router = Router(tags=["cases"])

Ref = Path(..., min_length=1, max_length=32, pattern=KEY_PATTERN, description="受理编号或申请流水号")
Number = Path(..., min_length=1, max_length=40, pattern=KEY_PATTERN, description="办件编号")
Key = Path(..., min_length=1, max_length=64, pattern=KEY_PATTERN, description="材料键")
Id = Path(..., ge=1, le=MAX_ID)
PDF_RESPONSE = {"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}}


# ---- shaping -------------------------------------------------------------------------------------


def _applicant(applicant: Applicant) -> dict[str, Any]:
    return {"kind": applicant.kind, "name": applicant.name, "id_number_masked": applicant.masked_id_number}


def _actor(user: Any) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.get_username()


def _case_brief(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item_version.item.code,
        "item_name": case.item_version.item.name,
        "department": case.department.name,
        "step_department": case.step_department.name,
        "status": case.status,
        "status_label": case.get_status_display(),
        "promised_due_at": case.promised_due_at,
        "promised_due_day": due_day(case.promised_due_at),
        "legal_due_at": case.legal_due_at,
        "decision": case.decision,
    }


def _correction(notice: CorrectionNotice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "items": [
            {"material": i.get("material", ""), "name": i.get("name", ""), "reason": i.get("reason", "")}
            for i in notice.items
        ],
        "note": notice.note,
        "issued_at": notice.issued_at,
        "resubmitted_at": notice.resubmitted_at,
    }


def _material(row: Any) -> dict[str, Any]:
    return {
        "key": row.material.key,
        "name": row.material.name,
        "required": row.required,
        "waivable": row.waivable,
        "commitment_allowed": row.commitment_allowed,
        "state": row.state,
        "state_label": row.get_state_display(),
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "evidence": row.evidence,
        "supply_due_at": row.supply_due_at,
        "supplied_at": row.supplied_at,
    }


def _application(application: Application, user: Any) -> dict[str, Any]:
    app = application_detail(application.draft_ref, user)
    return {
        "number": app.number,
        "draft_ref": app.draft_ref,
        "title": app.title,
        "status": app.status,
        "status_label": app.get_status_display(),
        "applicant": _applicant(app.applicant),
        "channel": app.channel,
        "region_code": app.region.code,
        "hall": app.hall.name if app.hall_id else None,
        "received_at": app.received_at,
        "accepted_at": app.accepted_at,
        "deemed_accepted": app.deemed_accepted,
        "deemed_acceptance_at": (
            services.application_deemed_acceptance_at(app)
            if app.status == ApplicationStatus.SUBMITTED
            else None
        ),
        "collected_on_behalf": app.collected_on_behalf,
        "joint_due_at": app.joint_due_at,
        "joint_legal_due_at": app.joint_legal_due_at,
        "joint_extension_days": app.joint_extension_days,
        "joint_extensions": [_joint_extension(e, app) for e in app.joint_extensions.all()],
        "delivery_due_at": min(
            (c.delivery_due_at for c in app.cases.all() if c.delivery_due_at), default=None
        )
        if not hasattr(app, "delivery")
        else None,
        "refusal_reason": app.refusal_reason,
        "refusal_remedies": app.refusal_remedies,
        "delivery_method": app.delivery_method,
        "allowed_actions": application_allowed_actions(app),
        "materials": [_material(m) for m in app.materials.all()],
        "corrections": [_correction(n) for n in app.corrections.all()],
        "cases": [_case_brief(c) for c in app.cases.all()],
    }


def _opinion(opinion: Opinion, case: Case) -> dict[str, Any]:
    return {
        "id": opinion.pk,
        "case": case.number,
        "department_code": opinion.department.code,
        "department": opinion.department.name,
        "due_at": opinion.due_at,
        "deemed_consent_basis": opinion.deemed_consent_basis,
        "verdict": opinion.verdict,
        "verdict_label": str(OpinionVerdict(opinion.verdict).label) if opinion.verdict else "",
        "text": opinion.text,
        "given_at": opinion.given_at,
        "given_by": _actor(opinion.given_by) if opinion.given_by_id else None,
        "deemed": opinion.deemed,
        "late_verdict": opinion.late_verdict,
        "late_text": opinion.late_text,
        "late_given_at": opinion.late_given_at,
    }


def _extension(extension: Extension, case: Case) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "case": case.number,
        "days": extension.days,
        "reason": extension.reason,
        "status": extension.status,
        "status_label": extension.get_status_display(),
        "requested_at": extension.requested_at,
        "decided_at": extension.decided_at,
        "legal_due_at": extension.legal_due_at,
    }


def _joint_extension(extension: JointExtension, application: Application) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "application": application.number or application.draft_ref,
        "days": extension.days,
        "reason": extension.reason,
        "status": extension.status,
        "status_label": extension.get_status_display(),
        "requested_at": extension.requested_at,
        "decided_at": extension.decided_at,
        "legal_due_at": extension.legal_due_at,
    }


def _finding(finding: InspectionFinding, case: Case) -> dict[str, Any]:
    return {
        "inspection": finding.inspection_id,
        "case": case.number,
        "passed": finding.passed,
        "note": finding.note,
        "recorded_at": finding.recorded_at,
    }


def _verification(verification: PostVerification, case: Case) -> dict[str, Any]:
    return {
        "case": case.number,
        "department": verification.department.name,
        "due_at": verification.due_at,
        "status": verification.status,
        "status_label": verification.get_status_display(),
        "result_note": verification.result_note,
        "finished_at": verification.finished_at,
    }


def _case(case: Case, user: Any) -> dict[str, Any]:
    return _case_out(case_detail(case.number, user))


def _case_out(c: Case) -> dict[str, Any]:
    """A case fetched by ``case_detail`` (relations prefetched) as ``CaseOut``: its fields in the
    schema's order, so that ``get_case`` can render it as it is (``_rendered``)."""
    verification = getattr(c, "post_verification", None)  # reverse one-to-one: absent raises AttributeError
    return {
        "number": c.number,
        "application": c.application.number or c.application.draft_ref,
        "applicant": _applicant(c.application.applicant),
        "item_code": c.item_version.item.code,
        "item_name": c.item_version.item.name,
        "item_version": c.item_version.number,
        "department": c.department.name,
        "step_department": c.step_department.name,
        "current_step": c.current_step,
        "status": c.status,
        "status_label": c.get_status_display(),
        "allowed_actions": case_allowed_actions(c),
        "deficient": c.deficient,
        "commitment": c.commitment,
        "accepted_at": c.accepted_at,
        "clock_started_at": c.clock_started_at,
        "waits_for": [w.number for w in c.waits_for.all()],
        "promised_due_at": c.promised_due_at,
        "legal_due_at": c.legal_due_at,
        "warning_at": c.warning_at,
        "deadline_provisional": c.deadline_provisional,
        "extension_days": c.extension_days,
        "decision": c.decision,
        "decision_basis": c.decision_basis,
        "decision_remedies": c.decision_remedies,
        "decided_at": c.decided_at,
        "delivery_due_at": c.delivery_due_at,
        "licence_number": c.licence_number,
        "closed_at": c.closed_at,
        "figures": dataclasses.asdict(case_figures(c)),
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": _actor(e.actor) if e.actor_id else None,
                "note": e.note,
                "data": e.data,
            }
            for e in c.events.all()
        ],
        "opinions": [_opinion(o, c) for o in c.opinions.all()],
        "suspensions": [
            {
                "reason": s.reason,
                "reason_label": s.get_reason_display(),
                "note": s.note,
                "expected_days": s.expected_days,
                "started_at": s.started_at,
                "ended_at": s.ended_at,
            }
            for s in c.suspensions.all()
        ],
        "extensions": [_extension(e, c) for e in c.extensions.all()],
        "findings": [_finding(f, c) for f in c.findings.all()],
        "post_verification": _verification(verification, c) if verification is not None else None,
    }


def _inspection(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "application": inspection.application.number or inspection.application.draft_ref,
        "scheduled_for": inspection.scheduled_for,
        "inspectors": inspection.inspectors,
        "cases": sorted(c.number for c in inspection.cases.all()),
        "done_at": inspection.done_at,
    }


# The renderer of the project's NinjaAPI (onewindow.api.main uses ninja's default).
_RENDERER = JSONRenderer()
_JSON = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def _rendered(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    """``body`` rendered as the API renders a 200 response, without ninja validating it against
    the route's response schema first: for the worklist and the case detail that validation
    (every nested object wrapped and checked field by field) was a large share of the request.
    The body must therefore already be exactly what the schema gives — its fields, in the schema's
    order, nothing more; ``test_api.py`` checks both bodies against their schemas."""
    return HttpResponse(_RENDERER.render(request, body, response_status=200), content_type=_JSON)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _place(user: Any, region_code: str | None) -> tuple[Region, Hall | None, ServiceWindow | None]:
    """Where an application is made: the given region, else the officer's window's hall."""
    staff = staff_for_user(user=user)
    window = staff.window if staff is not None else None
    hall = window.hall if window is not None else None
    if region_code:
        region = region_get(code=region_code)
        if hall is not None and not region.code.startswith(hall.region.prefix):
            hall = window = None
        return region, hall, window
    if hall is not None:
        return hall.region, hall, window
    if staff is not None and staff.department_id:
        return staff.department.region, None, None
    raise InvalidInput("请填写办理地区划代码（region_code）", errors={"region_code": ["必填"]})


# ---- public and worklist (literal paths first: they must win over /{number}) ----------------------


@router.get("/track", response={200: TrackingOut, codes_4xx: Problem}, auth=None)
def track(
    request: HttpRequest,
    number: str = Query(..., min_length=1, max_length=32, pattern=KEY_PATTERN, description="受理编号"),
    id_suffix: str = Query(
        ..., min_length=4, max_length=6, pattern=r"^[0-9A-Za-z]+$", description="证件号后4—6位"
    ),
) -> Any:
    """Public tracking (办件进度查询) by number and the last 4–6 characters of the applicant's ID
    number or credit code. A wrong suffix looks exactly like an unknown number; failed look-ups
    are throttled per IP address and per number (429 ``throttled``, ``core.throttle``)."""
    return guarded_lookup(request, "track", number, lambda: application_track(number, id_suffix))


@router.get("/worklist", response={200: WorklistOut, codes_4xx: Problem})
def get_worklist(
    request: HttpRequest,
    department: str | None = Query(None, max_length=32, pattern=KEY_PATTERN, description="部门编码"),
    status: str | None = Query(None, max_length=24, pattern=KEY_PATTERN),
    warning: str | None = Query(
        None, max_length=12, pattern=KEY_PATTERN, description="normal / warning / overdue"
    ),
    due_before: LocalDatetime | None = None,
    after: str | None = Query(
        None, max_length=200, pattern=KEY_PATTERN, description="上一页返回的 next_cursor"
    ),
    limit: int = Query(50, ge=1, le=200),
) -> HttpResponse:
    """The department worklist: open cases of the departments you may review, by promised
    deadline, with their warning level; keyset pagination through ``after``."""
    page = worklist_items(
        request.user,
        department=department_get(department) if department else None,
        status=status,
        warning=warning,
        due_before=due_before,
        after=after,
        limit=limit,
    )
    # Model.get_FOO_display() rebuilds a hashable copy of the choices on every call: for a page
    # of 50 that was a measurable share of the request, so translate each label once here.
    labels = {value: str(label) for value, label in CaseStatus.choices}
    return _rendered(  # WorklistOut, field for field
        request,
        {
            "items": [
                {
                    "number": r["number"],
                    "application": r["application__number"] or r["application__draft_ref"],
                    "title": r["item_version__item__name"],
                    "applicant": r["application__applicant__name"],
                    "item_name": r["item_version__item__name"],
                    "department": r["department__name"],
                    "step_department": r["step_department__name"],
                    "status": r["status"],
                    "status_label": labels[r["status"]],
                    "accepted_at": r["accepted_at"],
                    "promised_due_at": r["promised_due_at"],
                    "promised_due_day": due_day(r["promised_due_at"]),
                    "warning": r["warning"],
                    "deficient": r["deficient"],
                    "commitment": r["commitment"],
                }
                for r in page.rows
            ],
            "next_cursor": page.next_cursor,
        },
    )


# ---- applications --------------------------------------------------------------------------------


@router.post("/applications", response={201: ApplicationOut, codes_4xx: Problem})
def create_application(request: HttpRequest, body: ApplicationCreateIn) -> Status:
    """Start an application for a registered applicant (window officers and agents): one item,
    or a bundle (一件事) with an optional package. The material checklist comes from the catalogue."""
    applicant = applicant_get_by_id_number(id_number=body.applicant_id_number)
    if bool(body.item_code) == bool(body.bundle_code):
        raise InvalidInput("请选择一个事项或一个“一件事”（二者选一）", errors={"item_code": ["二选一"]})
    bundle = bundle_get(code=body.bundle_code) if body.bundle_code else None
    option = None
    if bundle is not None and body.option_code:
        option = next((o for o in bundle.options.all() if o.code == body.option_code), None)
        if option is None:
            raise InvalidInput(
                f"“{bundle.name}”没有套餐“{body.option_code}”", errors={"option_code": ["无效"]}
            )
    region, hall, window = _place(request.user, body.region_code)
    application = services.application_create(
        actor=request.user,
        applicant=applicant,
        channel=body.channel,
        region=region,
        item=item_get(code=body.item_code) if body.item_code else None,
        bundle=bundle,
        bundle_option=option,
        hall=hall,
        window=window,
        form_data=body.form_data,
        delivery_method=body.delivery_method,
        delivery_address=body.delivery_address,
    )
    return Status(201, _application(application, request.user))


@router.get("/applications/{ref}", response={200: ApplicationOut, codes_4xx: Problem})
def get_application(request: HttpRequest, ref: str = Ref) -> dict[str, Any]:
    """An application with its checklist, correction notices and cases."""
    return _application(application_get_for_user(ref, request.user), request.user)


@router.post(
    "/applications/{ref}/materials/{key}", response={200: MaterialOut, codes_4xx: Problem, 503: Problem}
)
def upload_material(request: HttpRequest, file: File[UploadedFile], ref: str = Ref, key: str = Key) -> dict:
    """Upload the file for one checklist material (multipart, field ``file``): PDF, JPG, PNG or
    OFD whose extension, declared type and content agree and which opens, size-limited, virus-
    scanned when a scanner is configured (503 when it cannot be reached); also supplies a 容缺
    material after acceptance."""
    application = application_get_for_user(ref, request.user)
    services.application_screen_upload(actor=request.user, application=application, upload=file)
    row = services.application_attach_material(
        actor=request.user, application=application, material_key=key, upload=file
    )
    return _material(row)


@router.post("/applications/{ref}/materials/{key}/mark", response={200: MaterialOut, codes_4xx: Problem})
def mark_material(request: HttpRequest, body: MaterialMarkIn, ref: str = Ref, key: str = Key) -> dict:
    """Mark a material at the window: 容缺 (waived), 告知承诺 (committed), provided on paper, or missing."""
    application = application_get_for_user(ref, request.user)
    row = services.application_mark_material(
        actor=request.user,
        application=application,
        material_key=key,
        state=body.state,
        evidence=body.evidence,
    )
    return _material(row)


@router.post("/applications/{ref}/submit", response={200: ApplicationOut, codes_4xx: Problem})
def submit_application(request: HttpRequest, ref: str = Ref) -> dict[str, Any]:
    application = application_get_for_user(ref, request.user)
    return _application(
        services.application_submit(actor=request.user, application=application), request.user
    )


@router.post("/applications/{ref}/correction", response={201: CorrectionNoticeOut, codes_4xx: Problem})
def request_correction(request: HttpRequest, body: CorrectionIn, ref: str = Ref) -> Status:
    """一次性告知: one notice listing every missing material plus the extra problems given."""
    application = application_get_for_user(ref, request.user)
    notice = services.application_request_correction(
        actor=request.user,
        application=application,
        extra=[e.model_dump() for e in body.extra],
        note=body.note,
    )
    return Status(201, _correction(notice))


@router.post("/applications/{ref}/resubmit", response={200: ApplicationOut, codes_4xx: Problem})
def resubmit_application(request: HttpRequest, ref: str = Ref) -> dict[str, Any]:
    application = application_get_for_user(ref, request.user)
    return _application(
        services.application_resubmit(actor=request.user, application=application), request.user
    )


@router.post("/applications/{ref}/accept", response={200: ApplicationOut, codes_4xx: Problem})
def accept_application(request: HttpRequest, ref: str = Ref) -> dict[str, Any]:
    """受理: the application gets its number and one case per item."""
    application = application_get_for_user(ref, request.user)
    return _application(
        services.application_accept(actor=request.user, application=application), request.user
    )


@router.post("/applications/{ref}/refuse", response={200: ApplicationOut, codes_4xx: Problem})
def refuse_application(request: HttpRequest, body: RefuseIn, ref: str = Ref) -> dict[str, Any]:
    """不予受理 with the reason and the applicant's remedies."""
    application = application_get_for_user(ref, request.user)
    refused = services.application_refuse(
        actor=request.user, application=application, reason=body.reason, remedies=body.remedies
    )
    return _application(refused, request.user)


@router.post("/applications/{ref}/inspections", response={201: InspectionOut, codes_4xx: Problem})
def schedule_inspection(request: HttpRequest, body: InspectionIn, ref: str = Ref) -> Status:
    """多勘合一: one site visit for the listed cases of the application."""
    application = application_get_for_user(ref, request.user)
    inspection = services.inspection_schedule(
        actor=request.user,
        application=application,
        cases=[case_get_for_user(n, request.user) for n in dict.fromkeys(body.cases)],
        scheduled_for=body.scheduled_for,
        inspectors=body.inspectors,
    )
    return Status(201, _inspection(inspection))


@router.post("/applications/{ref}/deliver", response={200: ApplicationOut, codes_4xx: Problem})
def deliver_application(request: HttpRequest, body: DeliverIn, ref: str = Ref) -> dict[str, Any]:
    """统一出件: every case decided, the results go out together and the cases close."""
    application = application_get_for_user(ref, request.user)
    services.application_deliver(
        actor=request.user, application=application, method=body.method, tracking_number=body.tracking_number
    )
    return _application(application, request.user)


@router.get(
    "/applications/{ref}/notices/acceptance.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE
)
def acceptance_notice(request: HttpRequest, ref: str = Ref) -> HttpResponse:
    """受理通知书."""
    application = application_get_for_user(ref, request.user)
    return _pdf(notices.acceptance_notice(application), f"acceptance-{application.number}.pdf")


@router.get(
    "/applications/{ref}/notices/correction.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE
)
def correction_notice(
    request: HttpRequest, ref: str = Ref, notice: int | None = Query(None, ge=1, le=MAX_ID)
) -> HttpResponse:
    """补正告知书 (the latest notice, or the one with id ``notice``)."""
    application = application_get_for_user(ref, request.user)
    return _pdf(notices.correction_notice(application, notice), f"correction-{application.draft_ref}.pdf")


@router.get(
    "/applications/{ref}/notices/refusal.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE
)
def refusal_notice(request: HttpRequest, ref: str = Ref) -> HttpResponse:
    """不予受理决定书."""
    application = application_get_for_user(ref, request.user)
    return _pdf(notices.refusal_notice(application), f"refusal-{application.draft_ref}.pdf")


@router.post("/inspections/{inspection_id}/findings", response={201: FindingOut, codes_4xx: Problem})
def record_finding(request: HttpRequest, body: FindingIn, inspection_id: int = Id) -> Status:
    """The site finding for one case of the inspection; the case returns to review."""
    inspection = inspection_get_for_user(inspection_id, request.user)
    case = case_get_for_user(body.case, request.user)
    finding = services.inspection_record_finding(
        actor=request.user, inspection=inspection, case=case, passed=body.passed, note=body.note
    )
    return Status(201, _finding(finding, case))


@router.post("/opinions/{opinion_id}", response={200: OpinionOut, codes_4xx: Problem})
def give_opinion(request: HttpRequest, body: OpinionIn, opinion_id: int = Id) -> dict[str, Any]:
    """A department answers a joint review: 符合 / 符合但需修改 / 不符合."""
    opinion = opinion_get_for_user(opinion_id, request.user)
    given = services.opinion_give(actor=request.user, opinion=opinion, verdict=body.verdict, text=body.text)
    return _opinion(given, opinion.case)


@router.post("/applications/{ref}/joint-extensions", response={201: JointExtensionOut, codes_4xx: Problem})
def request_joint_extension(request: HttpRequest, body: JointExtensionIn, ref: str = Ref) -> Status:
    """Ask to extend a jointly handled bundle's 45 working days by up to 15 (行政许可法 第四十二条第二款)."""
    application = application_get_for_user(ref, request.user)
    extension = services.joint_extension_request(
        actor=request.user, application=application, days=body.days, reason=body.reason
    )
    return Status(201, _joint_extension(extension, application))


@router.post("/joint-extensions/{extension_id}/decide", response={200: JointExtensionOut, codes_4xx: Problem})
def decide_joint_extension(
    request: HttpRequest, body: ExtensionDecideIn, extension_id: int = Id
) -> dict[str, Any]:
    """The 本级人民政府负责人 approves or rejects a joint extension (行政许可法 第四十二条第二款)."""
    extension = joint_extension_get_for_user(extension_id, request.user)
    decided = services.joint_extension_decide(actor=request.user, extension=extension, approve=body.approve)
    return _joint_extension(decided, extension.application)


@router.post("/extensions/{extension_id}/decide", response={200: ExtensionOut, codes_4xx: Problem})
def decide_extension(request: HttpRequest, body: ExtensionDecideIn, extension_id: int = Id) -> dict[str, Any]:
    """The leader approves or rejects an extension (行政许可法 第四十二条)."""
    extension = extension_get_for_user(extension_id, request.user)
    decided = services.extension_decide(actor=request.user, extension=extension, approve=body.approve)
    return _extension(decided, extension.case)


# ---- cases ---------------------------------------------------------------------------------------


@router.get("/{number}", response={200: CaseOut, codes_4xx: Problem})
def get_case(request: HttpRequest, number: str = Number) -> HttpResponse:
    """A case with its events, opinions, suspensions, extensions, findings and deadline figures."""
    return _rendered(request, _case_out(case_detail(number, request.user)))


@router.post("/{number}/start-review", response={200: CaseOut, codes_4xx: Problem})
def start_review(request: HttpRequest, number: str = Number) -> dict[str, Any]:
    case = case_get_for_user(number, request.user)
    return _case(services.case_start_review(actor=request.user, case=case), request.user)


@router.post("/{number}/opinions", response={201: list[OpinionOut], codes_4xx: Problem})
def request_opinions(request: HttpRequest, body: OpinionsRequestIn, number: str = Number) -> Status:
    """联合审查: ask departments for an opinion; silence past the deadline counts as consent."""
    case = case_get_for_user(number, request.user)
    opinions = services.case_request_opinions(
        actor=request.user,
        case=case,
        departments=[department_get_for_case(case, code) for code in dict.fromkeys(body.departments)],
        within=Duration(body.within_days, Unit.WORKDAY) if body.within_days else None,
    )
    return Status(201, [_opinion(o, case) for o in opinions])


@router.post("/{number}/submit-for-decision", response={200: CaseOut, codes_4xx: Problem})
def submit_for_decision(request: HttpRequest, body: NoteIn, number: str = Number) -> dict[str, Any]:
    case = case_get_for_user(number, request.user)
    return _case(
        services.case_submit_for_decision(actor=request.user, case=case, note=body.note), request.user
    )


@router.post("/{number}/decide", response={200: CaseOut, codes_4xx: Problem})
def decide(request: HttpRequest, body: DecideIn, number: str = Number) -> dict[str, Any]:
    """准予 / 不予许可 with the legal basis (and remedies for a denial)."""
    case = case_get_for_user(number, request.user)
    decided = services.case_decide(
        actor=request.user,
        case=case,
        approve=body.decision == "approve",
        basis=body.basis,
        remedies=body.remedies,
    )
    return _case(decided, request.user)


@router.post("/{number}/suspend", response={200: CaseOut, codes_4xx: Problem})
def suspend(request: HttpRequest, body: SuspendIn, number: str = Number) -> dict[str, Any]:
    """中止 (行政许可法 第四十五条): the clock stops."""
    case = case_get_for_user(number, request.user)
    return _case(
        services.case_suspend(
            actor=request.user,
            case=case,
            reason=body.reason,
            expected_days=body.expected_days,
            note=body.note,
        ),
        request.user,
    )


@router.post("/{number}/resume", response={200: CaseOut, codes_4xx: Problem})
def resume(request: HttpRequest, body: NoteIn, number: str = Number) -> dict[str, Any]:
    case = case_get_for_user(number, request.user)
    return _case(services.case_resume(actor=request.user, case=case, note=body.note), request.user)


@router.post("/{number}/extensions", response={201: ExtensionOut, codes_4xx: Problem})
def request_extension(request: HttpRequest, body: ExtensionIn, number: str = Number) -> Status:
    """延期 request; it takes effect when the leader approves it."""
    case = case_get_for_user(number, request.user)
    extension = services.extension_request(actor=request.user, case=case, days=body.days, reason=body.reason)
    return Status(201, _extension(extension, case))


@router.post("/{number}/post-verification", response={200: VerificationOut, codes_4xx: Problem})
def finish_post_verification(request: HttpRequest, body: VerificationIn, number: str = Number) -> dict:
    """告知承诺 post-verification result; a false commitment revokes and records a credit event."""
    case = case_get_for_user(number, request.user)
    verification = services.post_verification_finish(
        actor=request.user, case=case, passed=body.passed, note=body.note
    )
    return _verification(verification, case)


@router.get("/{number}/notices/decision.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE)
def decision_notice(request: HttpRequest, number: str = Number) -> HttpResponse:
    """准予 / 不予行政许可决定书."""
    case = case_get_for_user(number, request.user)
    return _pdf(notices.decision_notice(case), f"decision-{case.number}.pdf")


@router.get("/{number}/notices/suspension.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE)
def suspension_notice(request: HttpRequest, number: str = Number) -> HttpResponse:
    """中止告知书: the latest suspension, its reason and expected length (行政许可法 第四十五条)."""
    case = case_get_for_user(number, request.user)
    return _pdf(notices.suspension_notice(case), f"suspension-{case.number}.pdf")


@router.get(
    "/extensions/{extension_id}/notice.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE
)
def extension_notice(request: HttpRequest, extension_id: int = Id) -> HttpResponse:
    """延期告知书 of an approved extension (行政许可法 第四十二条)."""
    extension = extension_get_for_user(extension_id, request.user)
    return _pdf(notices.extension_notice(extension), f"extension-{extension.case.number}-{extension.pk}.pdf")


@router.get(
    "/joint-extensions/{extension_id}/notice.pdf", response={codes_4xx: Problem}, openapi_extra=PDF_RESPONSE
)
def joint_extension_notice(request: HttpRequest, extension_id: int = Id) -> HttpResponse:
    """联合办理延期告知书 (行政许可法 第四十二条第二款)."""
    extension = joint_extension_get_for_user(extension_id, request.user)
    return _pdf(notices.joint_extension_notice(extension), f"joint-extension-{extension.pk}.pdf")
