"""Writes of the market-entity register: credit codes, establishment, individual businesses,
changes, cancellation, the 商务秘书企业 hosting registry and the 一址多照 address policy.

Every service is one transaction and leaves an audit event. Registration services take the form
data (``forms.registration_validate`` runs again inside, against the register as it is now) and
raise ``InvalidInput`` with field-level ``errors`` for bad input.

One registering authority's register changes one transaction at a time: each registration first
locks the authority's region row (``FOR NO KEY UPDATE`` on PostgreSQL, which does not block rows
that merely refer to the region), so two applications cannot take the same name or the last place
of a hosting company at once.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from onewindow.audit.services import audit_record
from onewindow.core.errors import ConcurrentChange, InvalidInput, InvalidTransition
from onewindow.core.numbers import sequence_next
from onewindow.core.timers import claim_due
from onewindow.core.timeutil import now, today
from onewindow.core.untrusted import TEXT_CONTROL
from onewindow.core.validation import full_clean_or_raise
from onewindow.enterprises import names
from onewindow.enterprises.forms import registration_validate
from onewindow.enterprises.models import (
    MAX_HOSTING_CAPACITY,
    AddressPolicy,
    AgreementStatus,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    EnterpriseVersion,
    HostingAgreement,
    HostingCompany,
    VersionReason,
)
from onewindow.enterprises.selectors import (
    address_key_for,
    enterprise_registration,
    hosting_agreements_past_end,
    hosting_held_count,
    registration_region,
    scope_catalogue,
)
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.services import licence_cancel
from onewindow.org import idcodes
from onewindow.org.models import Applicant, ApplicantKind, Department, Region

# GB 32100-2015 附录 A: registration authority 9 (工商, today 市场监管); category 1 企业, 2 个体工商户.
AUTHORITY_MARKET_REGULATION = "9"
CATEGORY_ENTERPRISE = "1"
CATEGORY_INDIVIDUAL_BUSINESS = "2"
# How many serials `uscc_allocate` skips at most because the code is already held (by an entity
# imported with a code of its own); each skip is a code that exists, so this is never reached in
# practice.
MAX_ALLOCATION_ATTEMPTS = 1000
MAX_CASE_NUMBER = 40


def _text_errors(**values: str) -> dict[str, list[str]]:
    return {
        name: [f"含有不允许的控制字符 U+{ord(found.group()):04X}"]
        for name, value in values.items()
        if isinstance(value, str) and (found := TEXT_CONTROL.search(value))
    }


def _check_case_number(case_number: str) -> str:
    if (
        not isinstance(case_number, str)
        or len(case_number) > MAX_CASE_NUMBER
        or TEXT_CONTROL.search(case_number)
    ):
        raise InvalidInput(
            f"办件编号应为不超过{MAX_CASE_NUMBER}个字符的文本", errors={"case_number": ["格式不正确"]}
        )
    return case_number.strip()


def _lock_register(region: Region) -> Region:
    """Take the registering authority's lock (see the module docstring) and return its region."""
    authority = registration_region(region)
    locked = Region.objects.filter(pk=authority.pk)
    if connection.features.has_select_for_no_key_update:
        locked = locked.select_for_update(no_key=True)
    else:
        locked = locked.select_for_update()
    return locked.get()


# ---- 统一社会信用代码 ------------------------------------------------------------------------------


@transaction.atomic
def uscc_allocate(
    *,
    region6: str,
    authority: str = AUTHORITY_MARKET_REGULATION,
    category: str = CATEGORY_ENTERPRISE,
    actor: Any | None = None,
) -> str:
    """A new unified social credit code (GB 32100-2015) for an entity registered in `region6`.

    Positions 1–2 `authority` and `category` (9 1: 企业; 9 2: 个体工商户), 3–8 `region6` (the
    registering authority's division code), 9–17 an organisation code with its GB 11714 check
    character, 18 the GB 32100 check character. The organisation code comes from the region's
    counter (``core.numbers.sequence_next("uscc:<region6>")``, row-locked until the transaction ends,
    so concurrent registrations never share a serial) through ``idcodes.uscc_from_serial``; a code
    already held by an applicant or a hosting company (one imported with its own code) is skipped.
    In a national deployment the body comes from the national code centre; this allocator stands in
    for it within one installation.

    Raises ``InvalidInput`` for a bad region, authority or category, ``ConcurrentChange`` if no
    free code is found.
    """
    try:
        idcodes.uscc_from_serial(1, region6=region6, authority=authority, category=category)
    except idcodes.InvalidCode as exc:
        raise InvalidInput(str(exc), errors={"region6": [str(exc)]}) from None
    scope = f"uscc:{region6}"
    for _attempt in range(MAX_ALLOCATION_ATTEMPTS):
        serial = sequence_next(scope)
        try:
            code = idcodes.uscc_from_serial(serial, region6=region6, authority=authority, category=category)
        except idcodes.InvalidCode as exc:  # the region's serials are used up
            raise ConcurrentChange(f"区划 {region6} 的统一社会信用代码已分配完：{exc}") from None
        if (
            Applicant.objects.filter(id_number=code).exists()
            or HostingCompany.objects.filter(uscc=code).exists()
        ):
            continue
        audit_record(
            actor=actor, action="uscc.allocate", after={"uscc": idcodes.mask_uscc(code), "scope": scope}
        )
        return code
    raise ConcurrentChange("统一社会信用代码分配冲突，请重试")


# ---- registration ----------------------------------------------------------------------------------


def _leader(kind: str, cleaned: dict[str, Any]) -> str:
    return cleaned["operator"]["name"] if kind == "individual" else cleaned["legal_representative"]["name"]


def _display_name(kind: str, cleaned: dict[str, Any]) -> str:
    # 《市场主体登记管理条例实施细则》第六条: a 个体工商户 may do without a name; it is then known by
    # its operator's.
    if cleaned.get("name"):
        return cleaned["derived"]["name"]
    return f"{cleaned['operator']['name']}（个体工商户）"


def _name_columns(name: dict[str, Any] | None) -> dict[str, str]:
    name = name or {}
    return {
        "name_region": name.get("region", ""),
        "trade_name": name.get("trade_name", ""),
        "industry": name.get("industry", ""),
        "organisational_form": name.get("form", ""),
        "trade_name_key": names.name_key(name.get("trade_name", "")),
        "industry_key": names.name_key(name.get("industry", "")),
    }


def _address_region(cleaned_address: dict[str, Any], fallback: Region) -> Region:
    return Region.objects.filter(code=cleaned_address["region"]).first() or fallback


def _bind_agreement(agreement_id: int, enterprise: Enterprise) -> HostingAgreement:
    """Start hosting `enterprise` under the pending agreement, within the company's capacity.
    The company row is locked while its places are counted."""
    agreement = HostingAgreement.objects.select_related("company").get(pk=agreement_id)
    company = HostingCompany.objects.select_for_update().get(pk=agreement.company_id)
    hosted = company.agreements.filter(status=AgreementStatus.ACTIVE).count()
    if hosted >= company.capacity:
        message = f"商务秘书企业“{company.name}”托管容量为{company.capacity}户，已托管{hosted}户，不能再入驻"
        raise InvalidInput(message, errors={"address.hosting_agreement": [message]})
    moved = HostingAgreement.objects.filter(pk=agreement.pk, status=AgreementStatus.PENDING).update(
        status=AgreementStatus.ACTIVE, enterprise=enterprise
    )
    if moved != 1:
        raise ConcurrentChange("托管协议已被使用或已终止，请刷新后重试")
    agreement.refresh_from_db()
    return agreement


def _end_agreement(agreement: HostingAgreement, *, reason: str, on: dt.date) -> bool:
    moved = HostingAgreement.objects.filter(
        pk=agreement.pk, status__in=(AgreementStatus.PENDING, AgreementStatus.ACTIVE)
    ).update(status=AgreementStatus.ENDED, ended_on=on, end_reason=reason[:200])
    return moved == 1


def _register(
    kind: str,
    *,
    actor: Any | None,
    data: Any,
    case_number: str,
    region: Region,
    authority: Department | None,
    existing: tuple[str, dt.date] | None = None,
) -> Enterprise:
    case_number = _check_case_number(case_number)
    registering = _lock_register(region)
    cleaned = registration_validate(kind, data, region=region)
    address = cleaned["address"]
    address_region = _address_region(address, registering)
    display = _display_name(kind, cleaned)
    contact = cleaned["contact"]
    values = {
        "kind": ApplicantKind.ENTITY,
        "name": display,
        "legal_representative": _leader(kind, cleaned),
        "phone": contact["phone"],
        "email": contact["email"],
        "address": address["text"],
        "region": address_region,
    }
    if existing is None:
        category = CATEGORY_INDIVIDUAL_BUSINESS if kind == "individual" else CATEGORY_ENTERPRISE
        uscc = uscc_allocate(region6=registering.code[:6], category=category, actor=actor)
        applicant = Applicant(id_number=uscc, **values)
        established_on = today()
    else:
        uscc, established_on = existing
        applicant = _existing_applicant(uscc, values)
    full_clean_or_raise(applicant)
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:
        raise ConcurrentChange("统一社会信用代码已被占用，请重试") from None
    entity_type = EnterpriseType.INDIVIDUAL_BUSINESS if kind == "individual" else cleaned["enterprise_type"]
    capital = cleaned.get("capital")
    enterprise = Enterprise(
        applicant=applicant,
        name=display,
        **_name_columns(cleaned.get("name")),
        enterprise_type=entity_type,
        registered_capital=Decimal(capital) if capital is not None else None,
        currency=cleaned["currency"],
        business_scope=cleaned["scope"],
        address=address["text"],
        address_key=address_key_for(address["text"], address_region),
        address_region=address_region,
        region=registering,
        authority=authority,
        legal_representative=_leader(kind, cleaned),
        established_on=established_on,
    )
    full_clean_or_raise(enterprise, exclude=["hosting_agreement"])
    enterprise.save()
    if address["hosting_agreement"] is not None:
        enterprise.hosting_agreement = _bind_agreement(address["hosting_agreement"], enterprise)
        enterprise.save(update_fields=["hosting_agreement"])
    EnterpriseVersion.objects.create(
        enterprise=enterprise,
        number=1,
        reason=VersionReason.ESTABLISH if existing is None else VersionReason.RECORD,
        data=cleaned,
        name=enterprise.name,
        trade_name_key=enterprise.trade_name_key,
        industry_key=enterprise.industry_key,
        valid_from=now(),
        case_number=case_number,
    )
    audit_record(
        actor=actor,
        action=(
            ("enterprise.establish" if kind == "establish" else "individual_business.register")
            if existing is None
            else "enterprise.record_existing"
        ),
        target=enterprise,
        after={
            "name": enterprise.name,
            "uscc": idcodes.mask_uscc(uscc),
            "type": entity_type,
            "case_number": case_number,
            "hosting_agreement": address["hosting_agreement"],
            "shared_address_confirmed": bool(
                address["confirm_shared_address"] and cleaned["derived"]["address"]["shared_with"]
            ),
        },
    )
    return enterprise


def _existing_applicant(uscc: str, values: dict[str, Any]) -> Applicant:
    """The applicant row of an entity entered into the register with the code it already has: the
    one the bureau knows it by (an earlier application's applicant, updated to the registered
    items), or a new one."""
    try:
        idcodes.validate_uscc(uscc)
    except idcodes.InvalidCode as exc:
        raise InvalidInput(str(exc), errors={"uscc": [str(exc)]}) from None
    applicant = Applicant.objects.select_for_update().filter(id_number=uscc).first()
    if applicant is None:
        return Applicant(id_number=uscc, **values)
    if applicant.kind != ApplicantKind.ENTITY or Enterprise.objects.filter(applicant=applicant).exists():
        message = "该统一社会信用代码已在登记簿中，或属于自然人申请人"
        raise InvalidInput(message, errors={"uscc": [message]})
    for field, value in values.items():
        setattr(applicant, field, value)
    return applicant


@transaction.atomic
def enterprise_establish(
    *,
    actor: Any | None,
    data: Any,
    case_number: str = "",
    region: Region,
    authority: Department | None = None,
) -> Enterprise:
    """企业设立登记: register a company, sole proprietorship or partnership from its form data.

    Creates the ``org.Applicant`` (kind entity, ``id_number`` a new GB 32100 code from
    ``uscc_allocate``), the ``Enterprise`` and its version 1, and binds its hosting agreement when
    it registers at a 商务秘书企业's address. The date of establishment is today, the day the
    business licence is signed (《市场主体登记管理条例》第二十一条); issuing the licence is the
    caller's (``selectors.enterprise_licence_data`` gives its contents). `region` is where the
    application is registered (a town's region registers with its county), `authority` the
    registering department (登记机关), `case_number` the case it is approved in.

    Raises ``InvalidInput`` (every problem of the form, a full hosting company, an unconfirmed
    shared address) or ``ConcurrentChange``.
    """
    return _register(
        "establish", actor=actor, data=data, case_number=case_number, region=region, authority=authority
    )


@transaction.atomic
def individual_business_register(
    *,
    actor: Any | None,
    data: Any,
    case_number: str = "",
    region: Region,
    authority: Department | None = None,
) -> Enterprise:
    """个体工商户登记: register an individual business (《促进个体工商户发展条例》; 《市场主体登记管理
    条例》第八条). Like ``enterprise_establish``, with its own credit code of category 2 (GB 32100:
    92 + the region); an unnamed business is known by its operator's name. Raises ``InvalidInput``
    or ``ConcurrentChange``."""
    return _register(
        "individual", actor=actor, data=data, case_number=case_number, region=region, authority=authority
    )


@transaction.atomic
def enterprise_record_existing(
    *,
    actor: Any | None,
    kind: str,
    uscc: str,
    established_on: dt.date,
    data: Any,
    region: Region,
    authority: Department | None = None,
) -> Enterprise:
    """存量市场主体入册: enter into this register an entity registered before the platform ran (from
    the registering authority's own system), with the credit code and date of establishment it
    already has, so that its 变更 and 注销 can be handled here.

    `kind` is "establish" (an enterprise) or "individual" (个体工商户) and `data` that kind's form
    with the registered items as they stand; it is checked like a new registration (a name the
    register already holds is refused: enter each entity once). An earlier applicant row with the
    same code becomes the entity's; version 1 is marked 存量入册. Raises ``InvalidInput`` (a bad
    code, a date in the future, a code already in the register) or ``ConcurrentChange``.
    """
    if kind not in ("establish", "individual"):
        message = "存量入册的登记类型须为企业（establish）或个体工商户（individual）"
        raise InvalidInput(message, errors={"kind": [message]})
    if not isinstance(established_on, dt.date) or established_on > today():
        raise InvalidInput("成立日期不能晚于今天", errors={"established_on": ["成立日期不能晚于今天"]})
    uscc = str(uscc or "").strip().upper()
    return _register(
        kind,
        actor=actor,
        data=data,
        case_number="",
        region=region,
        authority=authority,
        existing=(uscc, established_on),
    )


def _lock_enterprise(enterprise: Enterprise) -> Enterprise:
    locked = Enterprise.objects.select_for_update().select_related("applicant").get(pk=enterprise.pk)
    if locked.version != enterprise.version:
        raise ConcurrentChange("登记事项已被他人变更，请刷新后重试")
    if locked.status != EnterpriseStatus.ACTIVE:
        raise InvalidTransition(f"“{locked.name}”已于{locked.cancelled_on}注销，不能再办理登记")
    return locked


def _new_version(
    enterprise: Enterprise, *, reason: str, data: dict[str, Any], changed: list[str], case_number: str
) -> EnterpriseVersion:
    moment = now()
    EnterpriseVersion.objects.filter(
        enterprise=enterprise, number=enterprise.version, valid_to__isnull=True
    ).update(valid_to=moment)
    enterprise.version += 1
    return EnterpriseVersion.objects.create(
        enterprise=enterprise,
        number=enterprise.version,
        reason=reason,
        data=data,
        changed_fields=changed,
        name=enterprise.name,
        trade_name_key=enterprise.trade_name_key,
        industry_key=enterprise.industry_key,
        valid_from=moment,
        case_number=case_number,
    )


def _summary(field: str, value: Any) -> Any:
    """What the audit log keeps of a registered item: no identity numbers."""
    if field in ("legal_representative",) and isinstance(value, dict):
        return value.get("name")
    if field == "investors" and isinstance(value, list):
        return [f"{i.get('name')} {i.get('share')}%" for i in value]
    if field == "contact" and isinstance(value, dict):
        return value.get("name")
    if field == "address" and isinstance(value, dict):
        return value.get("text")
    if field == "name" and isinstance(value, dict):
        return "".join(value.get(p, "") for p in ("region", "trade_name", "industry", "form"))
    return value


@transaction.atomic
def enterprise_change(
    *, actor: Any | None, enterprise: Enterprise, data: Any, case_number: str = ""
) -> Enterprise:
    """变更登记: change registered items of `enterprise` and keep the old ones.

    `data` is a ``change`` form (``forms.ChangeIn``; ``uscc`` may be left out); only its filled
    sections change. A new name is checked again (names, 第十七条 excluding the enterprise itself),
    so is a new address (hosting or 一址多照); moving away from a hosting address ends the old
    agreement. The new state becomes the next ``EnterpriseVersion``; the previous one gets its
    ``valid_to`` and stays as it was. Re-issuing the business licence (《市场主体登记管理条例》第二十八条)
    is the caller's. Raises ``InvalidInput`` (also when nothing would change), ``InvalidTransition``
    for a cancelled enterprise, ``ConcurrentChange`` when another change came first.
    """
    case_number = _check_case_number(case_number)
    _lock_register(enterprise.region)
    payload = {**data, "uscc": enterprise.uscc} if isinstance(data, dict) else data
    cleaned = registration_validate("change", payload, region=enterprise.region)
    locked = _lock_enterprise(enterprise)
    current = enterprise_registration(enterprise=locked)
    state = copy.deepcopy(current)
    changed = []
    for field in cleaned["derived"]["changed"]:
        if cleaned.get(field) != current.get(field):
            changed.append(field)
            state[field] = cleaned[field]
    if not changed:
        raise InvalidInput("登记事项没有变化", errors={"__all__": ["填写的变更事项与现登记事项相同"]})
    applicant = locked.applicant
    if "name" in changed:
        for column, value in _name_columns(state["name"]).items():
            setattr(locked, column, value)
        locked.name = applicant.name = cleaned["derived"]["name"]
    if "capital" in changed:
        locked.registered_capital = Decimal(state["capital"]) if state["capital"] is not None else None
    if "currency" in changed:
        locked.currency = state["currency"]
    if "scope" in changed:
        locked.business_scope = state["scope"]
    if "legal_representative" in changed:
        locked.legal_representative = applicant.legal_representative = state["legal_representative"]["name"]
    if "contact" in changed:
        applicant.phone, applicant.email = state["contact"]["phone"], state["contact"]["email"]
    if "address" in changed:
        _change_address(locked, state["address"])
        applicant.address, applicant.region = locked.address, locked.address_region
    state["derived"] = {**current.get("derived", {}), **cleaned["derived"], "changed": changed}
    if state.get("name"):
        state["derived"]["name"] = locked.name
    full_clean_or_raise(applicant)
    applicant.save()
    full_clean_or_raise(locked)
    _new_version(locked, reason=VersionReason.CHANGE, data=state, changed=changed, case_number=case_number)
    locked.save()
    audit_record(
        actor=actor,
        action="enterprise.change",
        target=locked,
        before={f: _summary(f, current.get(f)) for f in changed},
        after={**{f: _summary(f, state.get(f)) for f in changed}, "case_number": case_number},
    )
    return locked


def _change_address(enterprise: Enterprise, address: dict[str, Any]) -> None:
    old = enterprise.hosting_agreement
    new_id = address["hosting_agreement"]
    if old is not None and old.pk != new_id:
        _end_agreement(old, reason="住所变更登记", on=today())
        enterprise.hosting_agreement = None
    if new_id is not None and (old is None or old.pk != new_id):
        enterprise.hosting_agreement = _bind_agreement(new_id, enterprise)
    enterprise.address = address["text"]
    enterprise.address_region = _address_region(address, enterprise.region)
    enterprise.address_key = address_key_for(enterprise.address, enterprise.address_region)


@transaction.atomic
def enterprise_cancel(
    *, actor: Any | None, enterprise: Enterprise, case_number: str = "", data: Any = None
) -> Enterprise:
    """注销登记: end `enterprise` (《市场主体登记管理条例》第三十一条: 经登记机关注销登记，市场主体终止).

    `data` is a ``cancel`` form (reason, simplified procedure, liquidation date; default reason
    其他法定事由). Sets the status and date, appends the last version, ends its hosting agreement,
    and cancels its licences that are still valid or suspended (已注销: they lapse with the entity,
    which is no 吊销). The
    register keeps its name for a year (``selectors.name_taken``). Raises ``InvalidInput``,
    ``InvalidTransition`` (already cancelled) or ``ConcurrentChange``.
    """
    case_number = _check_case_number(case_number)
    payload = (
        {"reason": "other", **data}
        if isinstance(data, dict)
        else ({"reason": "other"} if data is None else data)
    )
    if isinstance(payload, dict):
        payload["uscc"] = enterprise.uscc
    cleaned = registration_validate("cancel", payload, region=enterprise.region)
    locked = _lock_enterprise(enterprise)
    current = enterprise_registration(enterprise=locked)
    on = today()
    state = {**copy.deepcopy(current), "cancellation": {k: v for k, v in cleaned.items() if k != "derived"}}
    state["derived"] = {**current.get("derived", {}), **cleaned["derived"]}
    if locked.hosting_agreement is not None:
        _end_agreement(locked.hosting_agreement, reason="入驻企业注销", on=on)
    _new_version(locked, reason=VersionReason.CANCEL, data=state, changed=["status"], case_number=case_number)
    # The one move of an enterprise's status (存续 → 注销), conditional like every transition.
    moved = Enterprise.objects.filter(pk=locked.pk, status=EnterpriseStatus.ACTIVE).update(
        status=EnterpriseStatus.CANCELLED, cancelled_on=on, version=locked.version, updated_at=now()
    )
    if moved != 1:
        raise ConcurrentChange("该市场主体已被他人办理注销，请刷新后重试")
    locked.refresh_from_db()
    ended = []
    reason = f"市场主体已注销登记{f'（办件 {case_number}）' if case_number else ''}"
    for licence in Licence.objects.filter(
        holder=locked.applicant, status__in=(LicenceStatus.VALID, LicenceStatus.SUSPENDED)
    ).order_by("pk"):
        licence_cancel(licence=licence, actor=actor, reason=reason)
        ended.append(licence.number)
    audit_record(
        actor=actor,
        action="enterprise.cancel",
        target=locked,
        before={"status": EnterpriseStatus.ACTIVE},
        after={
            "status": EnterpriseStatus.CANCELLED,
            "reason": cleaned["reason"],
            "simplified": cleaned["simplified"],
            "case_number": case_number,
            "licences_cancelled": ended,
        },
    )
    return locked


# ---- 商务秘书企业 hosting -----------------------------------------------------------------------------

# A hosted enterprise's address is the company's address followed by its name (forms.HOSTED_ADDRESS),
# so both together must fit the 200 characters of a registered address.
MAX_HOSTING_TEXT = 95


def _industries(allowed: Any, errors: dict[str, list[str]]) -> list[str]:
    known = set(scope_catalogue().industries)
    if not isinstance(allowed, list | tuple) or not allowed:
        errors["allowed_industries"] = ["请至少选择一个允许入驻的行业"]
        return []
    cleaned = []
    for i, industry in enumerate(allowed):
        if not isinstance(industry, str) or industry not in known:
            errors[f"allowed_industries.{i}"] = [f"不是国民经济行业分类门类：{str(industry)[:40]}"]
        elif industry not in cleaned:
            cleaned.append(industry)
    return cleaned


def _capacity(value: Any, errors: dict[str, list[str]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOSTING_CAPACITY:
        errors["capacity"] = [f"托管容量应为1至{MAX_HOSTING_CAPACITY}的整数"]
        return 1
    return value


@transaction.atomic
def hosting_company_create(
    *,
    actor: Any | None,
    name: str,
    uscc: str,
    address: str,
    region: Region,
    authority: Department,
    capacity: int,
    allowed_industries: list[str],
) -> HostingCompany:
    """Register a 商务秘书企业 (seed 001, 内江《商务秘书企业托管登记管理办法》): its address hosts up to
    `capacity` small enterprises of the `allowed_industries` (GB/T 4754 门类 names from the scope
    list) by agreement; `authority` is the 市场监管 department that keeps its registry. Raises
    ``InvalidInput`` with field errors (a taken or invalid credit code, names too long, an
    unknown industry, capacity out of 1–100000)."""
    errors = _text_errors(name=name, address=address)
    name, address = (name or "").strip(), (address or "").strip()
    for field, value in (("name", name), ("address", address)):
        if not value:
            errors.setdefault(field, []).append("必填")
        elif len(value) > MAX_HOSTING_TEXT:
            errors.setdefault(field, []).append(f"不能超过{MAX_HOSTING_TEXT}个字")
    try:
        code = idcodes.validate_uscc(uscc)
    except idcodes.InvalidCode as exc:
        errors["uscc"], code = [str(exc)], ""
    if code and HostingCompany.objects.filter(uscc=code).exists():
        errors["uscc"] = ["该商务秘书企业已登记"]
    industries = _industries(allowed_industries, errors)
    capacity = _capacity(capacity, errors)
    if errors:
        raise InvalidInput("商务秘书企业信息不正确", errors=errors)
    company = HostingCompany(
        name=name,
        uscc=code,
        address=address,
        address_key=address_key_for(address, region),
        region=region,
        authority=authority,
        capacity=capacity,
        allowed_industries=industries,
    )
    full_clean_or_raise(company)
    company.save()
    audit_record(
        actor=actor,
        action="hosting_company.create",
        target=company,
        after={"uscc": code, "address": address, "capacity": capacity, "allowed_industries": industries},
    )
    return company


@transaction.atomic
def hosting_company_update(
    *,
    actor: Any | None,
    company: HostingCompany,
    capacity: int | None = None,
    allowed_industries: list[str] | None = None,
    is_active: bool | None = None,
) -> HostingCompany:
    """Change a hosting company's capacity, allowed industries or whether it takes new enterprises.
    Enterprises already hosted stay; a capacity below the places held only stops new ones. Raises
    ``InvalidInput``."""
    errors: dict[str, list[str]] = {}
    locked = HostingCompany.objects.select_for_update().get(pk=company.pk)
    old = {
        "capacity": locked.capacity,
        "allowed_industries": locked.allowed_industries,
        "is_active": locked.is_active,
    }
    if capacity is not None:
        locked.capacity = _capacity(capacity, errors)
    if allowed_industries is not None:
        locked.allowed_industries = _industries(allowed_industries, errors)
    if is_active is not None:
        locked.is_active = bool(is_active)
    if errors:
        raise InvalidInput("商务秘书企业信息不正确", errors=errors)
    full_clean_or_raise(locked)
    locked.save()
    new = {
        "capacity": locked.capacity,
        "allowed_industries": locked.allowed_industries,
        "is_active": locked.is_active,
    }
    audit_record(
        actor=actor,
        action="hosting_company.update",
        target=locked,
        before={k: v for k, v in old.items() if new[k] != v},
        after={k: v for k, v in new.items() if old[k] != v},
    )
    return locked


@transaction.atomic
def hosting_agreement_create(
    *,
    actor: Any | None,
    company: HostingCompany,
    starts_on: dt.date,
    ends_on: dt.date,
    proposed_name: str = "",
) -> HostingAgreement:
    """Record a signed 托管协议 for an enterprise still to be registered (it becomes a material of
    the application and is bound at approval). It takes one of the company's places at once, so a
    full company refuses it: "托管容量已满". Raises ``InvalidInput``."""
    errors = _text_errors(proposed_name=proposed_name)
    locked = HostingCompany.objects.select_for_update().get(pk=company.pk)
    if not locked.is_active:
        errors["company"] = [f"商务秘书企业“{locked.name}”已停止托管登记"]
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["starts_on"] = ["应为日期"]
    elif ends_on < starts_on:
        errors["ends_on"] = ["托管到期日不能早于起始日"]
    elif ends_on < today():
        errors["ends_on"] = ["托管到期日已过"]
    proposed_name = (proposed_name or "").strip()
    if len(proposed_name) > 200:
        errors["proposed_name"] = ["不能超过200个字"]
    held = hosting_held_count(company=locked)
    if held >= locked.capacity:
        errors["company"] = [
            f"商务秘书企业“{locked.name}”托管容量为{locked.capacity}户，已签订托管协议{held}户，托管容量已满"
        ]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    agreement = HostingAgreement.objects.create(
        company=locked, starts_on=starts_on, ends_on=ends_on, proposed_name=proposed_name
    )
    audit_record(
        actor=actor,
        action="hosting_agreement.create",
        target=agreement,
        after={
            "company": locked.name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "proposed_name": proposed_name,
        },
    )
    return agreement


@transaction.atomic
def hosting_agreement_end(
    *, actor: Any | None, agreement: HostingAgreement, reason: str, on: dt.date | None = None
) -> HostingAgreement:
    """End a hosting agreement (terminated, or past its last day: then the timer calls this). The
    enterprise it hosted stays registered there and is flagged for a change of address
    (``selectors.enterprises_needing_address_change``). Raises ``InvalidInput`` without a reason,
    ``InvalidTransition`` when it has ended already."""
    errors = _text_errors(reason=reason)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        errors.setdefault("reason", []).append("请填写终止原因（不超过200个字）")
    if errors:
        raise InvalidInput("请填写终止原因", errors=errors)
    on = on or today()
    if not _end_agreement(agreement, reason=reason, on=on):
        raise InvalidTransition("托管协议已终止")
    agreement.refresh_from_db()
    enterprise = agreement.enterprise
    audit_record(
        actor=actor,
        action="hosting_agreement.end",
        target=agreement,
        before={"status": AgreementStatus.ACTIVE if enterprise else AgreementStatus.PENDING},
        after={
            "status": AgreementStatus.ENDED,
            "ended_on": on,
            "reason": reason,
            "enterprise": enterprise.name if enterprise else "",
            "address_change_required": enterprise is not None
            and enterprise.status == EnterpriseStatus.ACTIVE,
        },
    )
    return agreement


def hosting_agreements_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Timer source (``core.timers``): end every agreement past its last day, one transaction each
    (``claim_due``); its enterprise is then flagged for a change of address. Idempotent: an ended
    agreement is no longer due."""

    def expire(agreement: HostingAgreement) -> str:
        hosting_agreement_end(actor=None, agreement=agreement, reason="托管协议到期", on=agreement.ends_on)
        return f"ended hosting agreement {agreement.pk}"

    return claim_due(hosting_agreements_past_end(), limit=limit, fire=expire)


# ---- 一址多照 -----------------------------------------------------------------------------------------


@transaction.atomic
def address_policy_set(
    *,
    actor: Any | None,
    region: Region,
    basis: str,
    address: str = "",
    shared_allowed: bool = True,
    capacity: int | None = None,
) -> AddressPolicy:
    """Allow (or stop) several entities at one address (一址多照, 集群注册) for a whole region
    (`address` empty) or one address, on the local rule named in `basis` (《市场主体登记管理条例》
    第十一条第三款). Replaces the policy of the same region and address. Raises ``InvalidInput``."""
    errors = _text_errors(basis=basis, address=address)
    basis, address = (basis or "").strip(), (address or "").strip()
    if not basis:
        errors.setdefault("basis", []).append("请填写依据")
    if capacity is not None:
        capacity = _capacity(capacity, errors)
    if errors:
        raise InvalidInput("住所登记政策不正确", errors=errors)
    key = address_key_for(address, region) if address else ""
    policy = AddressPolicy.objects.filter(region=region, address_key=key).first() or AddressPolicy(
        region=region, address_key=key
    )
    before = {"shared_allowed": policy.shared_allowed, "capacity": policy.capacity} if policy.pk else None
    policy.address, policy.basis = address, basis
    policy.shared_allowed, policy.capacity, policy.is_active = bool(shared_allowed), capacity, True
    full_clean_or_raise(policy)
    policy.save()
    audit_record(
        actor=actor,
        action="address_policy.set",
        target=policy,
        before=before,
        after={
            "address": address,
            "shared_allowed": policy.shared_allowed,
            "capacity": capacity,
            "basis": basis,
        },
    )
    return policy
