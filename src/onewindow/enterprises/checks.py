"""The rules of the registration forms that need the register, section by section: the name,
the business scope, investors and capital, the address (hosting agreement or 一址多照), contact and
tax details. ``forms.registration_validate`` runs them on the parsed form (stage 2) and collects
every problem in one ``Errors`` under its field path."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from onewindow.core.errors import DomainError
from onewindow.core.timeutil import now, today
from onewindow.enterprises import names
from onewindow.enterprises.models import AgreementStatus, Enterprise, EnterpriseType
from onewindow.enterprises.selectors import (
    ScopeItem,
    address_check,
    forbidden_words,
    hosting_agreement_get,
    hosting_held_count,
    name_taken,
    region_expressions_for,
    registration_region,
    reserved_region_names,
    scope_catalogue,
)
from onewindow.org import idcodes
from onewindow.org.models import Region
from onewindow.org.validators import PHONE_RE

if TYPE_CHECKING:
    from onewindow.enterprises.forms import (
        AddressIn,
        ContactIn,
        InvestorIn,
        NameDeclarationIn,
        NameIn,
        TaxIn,
    )

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# 公司法 第四十二条: 有限责任公司 by 1 to 50 shareholders; 第九十二条: 股份有限公司 by 1 to 200 promoters.
# 合伙企业法 第十四条: 普通合伙 needs 2 or more partners; 第六十一条: 有限合伙 2 to 50, at least one
# general partner. 个人独资企业法 第二条: one natural person invests.
INVESTOR_LIMITS: dict[EnterpriseType, tuple[int, int, str]] = {
    EnterpriseType.LIMITED_COMPANY: (1, 50, "《中华人民共和国公司法》第四十二条"),
    EnterpriseType.JOINT_STOCK_COMPANY: (1, 200, "《中华人民共和国公司法》第九十二条"),
    EnterpriseType.SOLE_PROPRIETORSHIP: (1, 1, "《中华人民共和国个人独资企业法》第二条"),
    EnterpriseType.GENERAL_PARTNERSHIP: (2, 200, "《中华人民共和国合伙企业法》第十四条"),
    EnterpriseType.LIMITED_PARTNERSHIP: (2, 50, "《中华人民共和国合伙企业法》第六十一条"),
}
# A hosting address serves as the hosted enterprise's registered address with this mark.
HOSTED_ADDRESS = "{address}（{company}托管）"


class Errors(dict[str, list[str]]):
    """Field path → messages, collected over every section of a form."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)


def resident_id(path: str, value: str, errors: Errors) -> str:
    """The GB 11643 number normalised, or `value` with an error at `path`."""
    try:
        return idcodes.validate_resident_id(value, today=today())
    except idcodes.InvalidCode as exc:
        errors.add(path, str(exc))
        return value


def phone(path: str, value: str, errors: Errors) -> str:
    """A mobile or fixed-line number without spaces, or an error at `path`."""
    cleaned = value.replace(" ", "")
    if not PHONE_RE.match(cleaned):
        errors.add(path, _("电话号码格式不正确：手机号为1开头的11位数字，固定电话如 0736-7221234"))
    return cleaned


def name_section(
    form: NameIn,
    *,
    entity_type: EnterpriseType,
    region: Region,
    errors: Errors,
    exclude: Enterprise | None,
    declaration: NameDeclarationIn | None,
    path: str = "name",
) -> dict[str, Any]:
    """The name's parts checked (``names.check_name``), then against the register (第十七条, the
    enterprise itself excluded), and the 名称自主申报 result compared with the name applied for."""
    parts = names.clean_parts(
        region=form.region, trade_name=form.trade_name, industry=form.industry, form=form.form
    )
    words = forbidden_words()
    problems = names.check_name(
        parts,
        entity_type=names.EntityType(entity_type),
        regions=region_expressions_for(region),
        reserved=reserved_region_names(parts.trade_name),
        words=words,
        cross_industry=form.cross_industry,
    )
    for problem in problems:
        errors.add(path if problem.part == "name" else f"{path}.{problem.part}", problem.message)
    if not problems:
        conflict = name_taken(name=parts, region=region, exclude=exclude)
        if conflict is not None:
            errors.add(
                f"{path}.trade_name",
                _("字号“%(trade)s”%(conflict)s，同一登记机关内不得使用（《企业名称登记管理规定》第十七条）")
                % {"trade": parts.trade_name, "conflict": str(conflict)},
            )
    if declaration is not None and names.name_key(declaration.name) != names.name_key(parts.full):
        errors.add(
            "name_declaration.name",
            _("自主申报的名称“%(declared)s”与拟登记名称“%(name)s”不一致")
            % {"declared": declaration.name, "name": parts.full},
        )
    return {
        "region": parts.region,
        "trade_name": parts.trade_name,
        "industry": parts.industry,
        "form": parts.form,
        "cross_industry": form.cross_industry,
        "full": parts.full,
        "words_version": words.version,
    }


def scope_section(lines: list[str], errors: Errors) -> list[tuple[str, ScopeItem | None]]:
    """Each scope line with its standard item (its standard wording) or None for free text;
    duplicates are errors (《市场主体登记管理条例》第十四条: the published wording is used)."""
    catalogue = scope_catalogue()
    seen: set[str] = set()
    found = []
    for i, line in enumerate(lines):
        key = names.name_key(line)
        if key in seen:
            errors.add(f"scope.{i}", _("经营范围“%(item)s”重复") % {"item": line})
            continue
        seen.add(key)
        item = catalogue.find(line)
        found.append((item.name if item else line, item))
    return found


def scope_out(found: list[tuple[str, ScopeItem | None]]) -> list[dict[str, Any]]:
    """The scope items as ``derived`` shows them: general, licensed (with its licence) or free."""
    return [
        {
            "name": text,
            "standard": item is not None,
            "kind": item.kind if item else "free",
            "licence": item.licence if item else "",
            "industry": item.industry if item else "",
            "premises": item.premises if item else False,
        }
        for text, item in found
    ]


def investors_section(
    investors: list[InvestorIn],
    *,
    entity_type: EnterpriseType,
    capital: Decimal | None,
    errors: Errors,
    path: str = "investors",
) -> list[dict[str, Any]]:
    """Investors by type: how many, their numbers (GB 11643 / GB 32100), partners' liability,
    shares adding up to 100 % and contributions to the capital."""
    low, high, basis = INVESTOR_LIMITS[entity_type]
    label = entity_type.label
    if not low <= len(investors) <= high:
        if low == high:
            errors.add(
                path, _("%(type)s应有%(n)s个投资人（%(basis)s）") % {"type": label, "n": low, "basis": basis}
            )
        else:
            errors.add(
                path,
                _("%(type)s应有%(low)s至%(high)s个出资人（%(basis)s），实际为%(n)s个")
                % {"type": label, "low": low, "high": high, "basis": basis, "n": len(investors)},
            )
    cleaned, seen = [], set()
    for i, investor in enumerate(investors):
        where = f"{path}.{i}"
        if investor.kind == "person":
            number = resident_id(f"{where}.id_number", investor.id_number, errors)
        else:
            try:
                number = idcodes.validate_uscc(investor.id_number)
            except idcodes.InvalidCode as exc:
                errors.add(f"{where}.id_number", str(exc))
                number = investor.id_number
            if entity_type == EnterpriseType.SOLE_PROPRIETORSHIP:
                errors.add(f"{where}.kind", _("个人独资企业的投资人应为一个自然人（个人独资企业法第二条）"))
        if number in seen:
            errors.add(f"{where}.id_number", _("出资人重复"))
        seen.add(number)
        liability = investor.liability
        if entity_type == EnterpriseType.GENERAL_PARTNERSHIP:
            if liability == "limited":
                errors.add(
                    f"{where}.liability",
                    _("普通合伙企业的合伙人对合伙企业债务承担无限连带责任（合伙企业法第二条）"),
                )
            liability = "unlimited"
        elif entity_type == EnterpriseType.LIMITED_PARTNERSHIP and liability is None:
            errors.add(
                f"{where}.liability", _("请填写承担责任方式：普通合伙人（无限责任）或有限合伙人（有限责任）")
            )
        elif (
            entity_type not in (EnterpriseType.GENERAL_PARTNERSHIP, EnterpriseType.LIMITED_PARTNERSHIP)
            and liability is not None
        ):
            errors.add(f"{where}.liability", _("仅合伙企业填写承担责任方式"))
        cleaned.append(
            {
                "kind": investor.kind,
                "name": investor.name,
                "id_number": number,
                "contribution": str(investor.contribution.quantize(CENT)),
                "share": f"{investor.share.normalize():f}",
                "liability": liability,
            }
        )
    if entity_type == EnterpriseType.LIMITED_PARTNERSHIP and investors:
        kinds = {inv.liability for inv in investors}
        if "unlimited" not in kinds:
            errors.add(path, _("有限合伙企业至少应当有一个普通合伙人（合伙企业法第六十一条）"))
        if "limited" not in kinds:
            errors.add(path, _("有限合伙企业应有有限合伙人；全部为普通合伙人的，应登记为普通合伙企业"))
    if investors:
        shares = sum((inv.share for inv in investors), Decimal(0))
        if shares != HUNDRED:
            errors.add(
                path,
                _("各出资人的出资比例合计应为100%%，实际为%(total)s%%")
                % {"total": f"{shares.normalize():f}"},
            )
        contributions = sum((inv.contribution for inv in investors), Decimal(0))
        if capital is not None and contributions != capital:
            errors.add(
                path,
                _("各出资人认缴出资额合计%(sum)s元，与注册资本（出资额）%(capital)s元不一致")
                % {"sum": f"{contributions.quantize(CENT):f}", "capital": f"{capital.quantize(CENT):f}"},
            )
    return cleaned


def address_section(
    form: AddressIn,
    *,
    region: Region,
    scope: list[tuple[str, ScopeItem | None]],
    errors: Errors,
    exclude: Enterprise | None,
    path: str = "address",
) -> dict[str, Any]:
    """The registered address: where it lies (within the authority's region), then either the
    hosting agreement (``_hosting_section``) or the 一址多照 rule (``selectors.address_check``); a
    shared address without a policy needs ``confirm_shared_address``."""
    authority = registration_region(region)
    where = authority
    if form.region:
        try:
            code = idcodes.validate_region_code(form.region)
        except idcodes.InvalidCode as exc:
            errors.add(f"{path}.region", str(exc))
        else:
            found = Region.objects.filter(code=code).first()
            if found is None:
                errors.add(f"{path}.region", _("区划代码 %(code)s 未收录") % {"code": code})
            elif not authority.contains(found):
                errors.add(
                    f"{path}.region",
                    _("住所应在本登记机关（%(authority)s）辖区内；其他地方的住所请向住所所在地登记机关申请")
                    % {"authority": authority.name},
                )
            else:
                where = found
    out: dict[str, Any] = {
        "text": form.text,
        "region": where.code,
        "hosting_agreement": form.hosting_agreement,
        "confirm_shared_address": form.confirm_shared_address,
        "hosting_company": "",
        "hosting_company_uscc": "",
        "shared_with": [],
    }
    if form.hosting_agreement is not None:
        _hosting_section(
            form, out, authority=authority, scope=scope, errors=errors, exclude=exclude, path=path
        )
        return out
    if not form.text:
        errors.add(f"{path}.text", _("请填写住所（经营场所）"))
        return out
    check = address_check(address=form.text, region=where, exclude=exclude)
    out["shared_with"] = check.in_use
    if check.hosting_company is not None or (check.message and not check.needs_confirmation):
        errors.add(f"{path}.text", check.message)
    elif check.needs_confirmation and not form.confirm_shared_address:
        errors.add(f"{path}.confirm_shared_address", check.message)
    return out


def _hosting_section(
    form: AddressIn,
    out: dict[str, Any],
    *,
    authority: Region,
    scope: list[tuple[str, ScopeItem | None]],
    errors: Errors,
    exclude: Enterprise | None,
    path: str,
) -> None:
    """Seed 001 (内江): a small enterprise in an allowed industry registers at a 商务秘书企业's address
    by a hosting agreement instead of a lease, within the company's capacity."""
    where = f"{path}.hosting_agreement"
    try:
        agreement = hosting_agreement_get(pk=form.hosting_agreement)
    except DomainError as exc:
        errors.add(where, str(exc))
        return
    company = agreement.company
    own = exclude is not None and agreement.enterprise_id == exclude.pk
    if form.text and form.text != HOSTED_ADDRESS.format(address=company.address, company=company.name):
        errors.add(f"{path}.text", _("以托管协议登记的，住所即商务秘书企业的托管地址，无需另行填写"))
    if agreement.status == AgreementStatus.ENDED:
        errors.add(where, _("托管协议已于%(day)s终止") % {"day": agreement.ended_on})
    elif agreement.status == AgreementStatus.ACTIVE and not own:
        errors.add(where, _("该托管协议已用于其他企业的登记"))
    if agreement.ends_on < today():
        errors.add(where, _("托管协议已于%(day)s到期") % {"day": agreement.ends_on})
    if not company.is_active:
        errors.add(where, _("商务秘书企业“%(name)s”已停止托管登记") % {"name": company.name})
    if not company.region.code.startswith(authority.prefix):
        errors.add(where, _("商务秘书企业“%(name)s”不在本登记机关辖区") % {"name": company.name})
    if not own:
        hosted = company.agreements.filter(status=AgreementStatus.ACTIVE).exclude(pk=agreement.pk).count()
        if hosted >= company.capacity:
            errors.add(
                where,
                _("商务秘书企业“%(name)s”托管容量为%(capacity)s户，已托管%(hosted)s户，不能再入驻")
                % {"name": company.name, "capacity": company.capacity, "hosted": hosted},
            )
    allowed = set(company.allowed_industries)
    for i, (text, item) in enumerate(scope):
        if item is None:
            continue
        if item.premises:
            errors.add(
                f"scope.{i}",
                _("“%(item)s”须有实际经营场所，不能以商务秘书企业托管地址登记") % {"item": text},
            )
        elif item.industry not in allowed:
            errors.add(
                f"scope.{i}",
                _("“%(item)s”属于%(industry)s，商务秘书企业“%(name)s”只接受%(allowed)s的企业入驻")
                % {
                    "item": text,
                    "industry": item.industry,
                    "name": company.name,
                    "allowed": "、".join(sorted(allowed)),
                },
            )
    out["text"] = HOSTED_ADDRESS.format(address=company.address, company=company.name)
    out["hosting_company"] = company.name
    out["hosting_company_uscc"] = company.uscc
    out["held_places"] = hosting_held_count(company=company)


def contact_section(form: ContactIn, errors: Errors, path: str = "contact") -> dict[str, Any]:
    """The contact person (登记联络员, 《市场主体登记管理条例》第九条) with a checked phone and e-mail."""
    email = form.email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add(f"{path}.email", _("电子邮箱格式不正确"))
    return {"name": form.name, "phone": phone(f"{path}.phone", form.phone, errors), "email": email}


def tax_section(form: TaxIn | None, errors: Errors) -> dict[str, Any] | None:
    """The tax details the invoice step needs (会计制度, 纳税人类型, 办税人), checked."""
    if form is None:
        return None
    officer = form.tax_officer
    return {
        "accounting_system": form.accounting_system,
        "vat_taxpayer": form.vat_taxpayer,
        "tax_officer": {
            "name": officer.name,
            "id_number": resident_id("tax.tax_officer.id_number", officer.id_number, errors),
            "phone": phone("tax.tax_officer.phone", officer.phone, errors),
        },
    }


def capital_required(capital: Decimal | None, entity_type: EnterpriseType, errors: Errors) -> None:
    """Companies register a capital, partnerships and sole proprietorships a contribution: > 0."""
    if capital is None or capital <= 0:
        label = _("注册资本") if entity_type in names.COMPANY_TYPES else _("出资额")
        errors.add("capital", _("请填写%(label)s，应大于0") % {"label": label})


def require_sections(form: Any, require: Iterable[str], errors: Errors) -> None:
    """The optional sections ("tax", "social") that the chosen bundle option needs are filled."""
    for section in require:
        if section not in ("tax", "social"):
            raise ValueError(f"unknown section {section!r}")
        if getattr(form, section, None) is None:
            errors.add(section, _("本次申请的办理事项需要填写此项"))


def derived(kind: str, **values: Any) -> dict[str, Any]:
    """The ``derived`` part of cleaned data: what the server worked out, and when."""
    return {"kind": kind, "checked_at": now().isoformat(), **values}
