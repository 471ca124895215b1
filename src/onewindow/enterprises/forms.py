"""The registration forms (市场主体登记申请书) of the items that register an entity, and their
server-side validation.

Four kinds: ``establish`` (企业设立登记: companies, sole proprietorships, partnerships),
``individual`` (个体工商户登记), ``change`` (变更登记) and ``cancel`` (注销登记). Each is a pydantic
schema (the API accepts and returns the same structure); ``registration_validate`` checks the
structure, then the rules of law that need the register, and returns the cleaned data or raises
``InvalidInput`` with ``errors={"field.path": ["message", …]}`` naming every problem at once.

The registered items follow 《市场主体登记管理条例》第八条 (name, type, scope, address, capital,
legal representative; shareholders, investors or partners) and 第九条 (filed items such as the
contact person), by type as 《市场主体登记管理条例实施细则》第六条 lists them. The cleaned data is
itself valid input: services re-validate it at approval, when the register may have changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from onewindow.core.errors import DomainError, InvalidInput
from onewindow.core.timeutil import today
from onewindow.core.untrusted import MAX_DEPTH, TEXT_CONTROL
from onewindow.enterprises.checks import (
    CENT,
    Errors,
    address_section,
    capital_required,
    contact_section,
    derived,
    investors_section,
    name_section,
    require_sections,
    resident_id,
    scope_out,
    scope_section,
    tax_section,
)
from onewindow.enterprises.models import (
    CAPITAL_DIGITS,
    CAPITAL_PLACES,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
)
from onewindow.enterprises.selectors import (
    COMPOSITION_LABELS,
    MAX_DB_ID,
    enterprise_get,
    enterprise_registration,
    registration_region,
)
from onewindow.org.models import Region

KINDS = ("establish", "individual", "change", "cancel")
# 《市场主体登记管理条例》第二十四条: a change is registered within 30 days of the resolution.
CHANGE_DEADLINE_DAYS = 30
Money = Annotated[Decimal, Field(ge=0, max_digits=CAPITAL_DIGITS, decimal_places=CAPITAL_PLACES)]
ScopeLine = Annotated[str, Field(min_length=1, max_length=100)]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NameIn(_Form):
    """The proposed name in its four parts (名称自主申报)."""

    region: str = Field("", max_length=50, description="行政区划，如 常德市武陵区")
    trade_name: str = Field("", max_length=50, description="字号，两个以上汉字")
    industry: str = Field("", max_length=50, description="行业或者经营特点")
    form: str = Field("", max_length=50, description="组织形式，如 有限公司")
    cross_industry: bool = Field(False, description="跨行业综合经营，名称不含行业表述")


class PersonIn(_Form):
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field(..., min_length=1, max_length=30, description="18位公民身份号码")


class OperatorIn(PersonIn):
    address: str = Field("", max_length=200, description="经营者住所")


class TaxOfficerIn(PersonIn):
    phone: str = Field(..., min_length=1, max_length=30)


class InvestorIn(_Form):
    kind: Literal["person", "entity"] = "person"
    name: str = Field(..., min_length=1, max_length=200)
    id_number: str = Field(..., min_length=1, max_length=30, description="身份证号或统一社会信用代码")
    contribution: Money = Field(..., description="认缴出资额（元）")
    share: Decimal = Field(..., gt=0, le=100, max_digits=7, decimal_places=4, description="出资比例（%）")
    liability: Literal["unlimited", "limited"] | None = Field(
        None, description="合伙人承担责任方式：unlimited 无限责任（普通合伙人），limited 有限责任"
    )


class AddressIn(_Form):
    text: str = Field("", max_length=200, description="住所（经营场所）；以托管协议登记的不填")
    region: str = Field("", max_length=12, description="住所所在区划代码（12位），默认为登记机关区划")
    hosting_agreement: int | None = Field(None, ge=1, le=MAX_DB_ID, description="托管协议编号")
    confirm_shared_address: bool = Field(False, description="窗口已核实同一地址多个主体登记（一址多照）")


class ContactIn(_Form):
    name: str = Field(..., min_length=1, max_length=50, description="联络员")
    phone: str = Field(..., min_length=1, max_length=30)
    email: str = Field("", max_length=254)


class TaxIn(_Form):
    accounting_system: Literal["small_enterprise", "enterprise", "other"] = "small_enterprise"
    vat_taxpayer: Literal["small_scale", "general"] = "small_scale"
    tax_officer: TaxOfficerIn


class SocialIn(_Form):
    insured_count: int = Field(0, ge=0, le=1_000_000, description="参保人数")


class NameDeclarationIn(_Form):
    name: str = Field(..., min_length=1, max_length=200, description="名称自主申报系统中确认的名称")
    declared_at: dt.datetime | None = None


class _Registration(_Form):
    derived: dict[str, Any] | None = Field(None, description="由服务端计算，提交时忽略")


class EstablishIn(_Registration):
    enterprise_type: Literal[
        "limited_company",
        "joint_stock_company",
        "sole_proprietorship",
        "general_partnership",
        "limited_partnership",
    ]
    name: NameIn
    capital: Money | None = Field(None, description="注册资本（出资额），元")
    currency: Literal["CNY", "USD", "EUR", "HKD", "JPY", "GBP"] = "CNY"
    scope: list[ScopeLine] = Field(..., min_length=1, max_length=50)
    address: AddressIn
    legal_representative: PersonIn
    investors: list[InvestorIn] = Field(..., min_length=1, max_length=200)
    contact: ContactIn
    tax: TaxIn | None = None
    social: SocialIn | None = None
    name_declaration: NameDeclarationIn | None = None


class IndividualIn(_Registration):
    name: NameIn | None = Field(None, description="个体工商户可以不使用名称")
    operator: OperatorIn
    composition: Literal["individual", "family"] = "individual"
    family_members: list[PersonIn] = Field(default_factory=list, max_length=20)
    capital: Money | None = Field(None, description="资金数额，元")
    currency: Literal["CNY"] = "CNY"
    scope: list[ScopeLine] = Field(..., min_length=1, max_length=50)
    address: AddressIn
    contact: ContactIn
    tax: TaxIn | None = None
    social: SocialIn | None = None
    name_declaration: NameDeclarationIn | None = None


class ChangeIn(_Registration):
    uscc: str = Field(..., min_length=1, max_length=30)
    resolution_date: dt.date | None = Field(None, description="作出变更决议、决定之日")
    name: NameIn | None = None
    capital: Money | None = None
    currency: Literal["CNY", "USD", "EUR", "HKD", "JPY", "GBP"] | None = None
    scope: list[ScopeLine] | None = Field(None, min_length=1, max_length=50)
    address: AddressIn | None = None
    legal_representative: PersonIn | None = None
    investors: list[InvestorIn] | None = Field(None, min_length=1, max_length=200)
    contact: ContactIn | None = None


class CancelIn(_Registration):
    uscc: str = Field(..., min_length=1, max_length=30)
    reason: Literal["dissolution", "bankruptcy", "revoked", "other"] = "dissolution"
    simplified: bool = Field(False, description="简易注销（《市场主体登记管理条例》第三十三条）")
    liquidation_completed_on: dt.date | None = Field(None, description="清算完成之日")
    note: str = Field("", max_length=500)


SCHEMAS: dict[str, type[_Registration]] = {
    "establish": EstablishIn,
    "individual": IndividualIn,
    "change": ChangeIn,
    "cancel": CancelIn,
}
CHANGEABLE = (
    "name",
    "capital",
    "currency",
    "scope",
    "address",
    "legal_representative",
    "investors",
    "contact",
)
CANCEL_REASONS = {
    "dissolution": "解散",
    "bankruptcy": "被宣告破产",
    "revoked": "被吊销营业执照、责令关闭或者被撤销",
    "other": "其他法定事由",
}


def registration_schema(kind: str) -> dict[str, Any]:
    """The JSON schema of a form kind, for pages that check input before sending it."""
    return _schema_class(kind).model_json_schema()


def _schema_class(kind: str) -> type[_Registration]:
    if kind not in SCHEMAS:
        raise InvalidInput(
            _("登记类型“%(kind)s”不存在，应为 %(kinds)s")
            % {"kind": str(kind)[:40], "kinds": "、".join(KINDS)},
            errors={"kind": [_("不是允许的登记类型")]},
        )
    return SCHEMAS[kind]


# ---- stage 1: structure ----------------------------------------------------------------------------


def _control_errors(data: Any) -> dict[str, list[str]]:
    """Paths of strings and keys with a control character, and of nesting past ``MAX_DEPTH``,
    walked without recursion (PostgreSQL refuses NUL, which SQLite would silently store)."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            found = TEXT_CONTROL.search(value)
            if found:
                errors.setdefault(path or "__all__", []).append(
                    _("含有不允许的控制字符 U+%(code)04X") % {"code": ord(found.group())}
                )
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                errors.setdefault(path or "__all__", []).append(_("数据嵌套层次过深"))
                continue
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in pairs:
                if isinstance(key, str) and TEXT_CONTROL.search(key):
                    errors.setdefault(path or "__all__", []).append(_("字段名含有不允许的控制字符"))
                    continue
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
    return errors


def _message(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    simple = {
        "missing": _("必填"),
        "extra_forbidden": _("不认识的字段"),
        "string_type": _("应为文本"),
        "string_too_short": _("不能为空"),
        "list_type": _("应为列表"),
        "decimal_parsing": _("应为数字"),
        "decimal_type": _("应为数字"),
        "decimal_max_digits": _("数值超出范围或位数过多"),
        "decimal_whole_digits": _("数值超出范围"),
        "finite_number": _("应为有限的数字"),
        "int_parsing": _("应为整数"),
        "int_type": _("应为整数"),
        "int_from_float": _("应为整数"),
        "bool_parsing": _("应为是或否"),
        "bool_type": _("应为是或否"),
        "date_parsing": _("应为日期（如 2025-03-10）"),
        "date_type": _("应为日期（如 2025-03-10）"),
        "date_from_datetime_parsing": _("应为日期（如 2025-03-10）"),
        "date_from_datetime_inexact": _("应为日期（如 2025-03-10）"),
        "datetime_parsing": _("应为时间（如 2025-03-10T09:30:00+08:00）"),
        "datetime_type": _("应为时间（如 2025-03-10T09:30:00+08:00）"),
        "datetime_from_date_parsing": _("应为时间（如 2025-03-10T09:30:00+08:00）"),
        "model_type": _("应为对象"),
        "model_attributes_type": _("应为对象"),
        "dict_type": _("应为对象"),
    }
    if kind in simple:
        return simple[kind]
    templates = {
        "string_too_long": _("不能超过%(max_length)s个字符"),
        "too_short": _("至少填写%(min_length)s项"),
        "too_long": _("最多填写%(max_length)s项"),
        "decimal_max_places": _("最多保留%(decimal_places)s位小数"),
        "greater_than": _("应大于%(gt)s"),
        "greater_than_equal": _("不能小于%(ge)s"),
        "less_than": _("应小于%(lt)s"),
        "less_than_equal": _("不能大于%(le)s"),
        "literal_error": _("应为以下之一：%(expected)s"),
    }
    if kind in templates:
        try:
            return templates[kind] % {k: str(v) for k, v in ctx.items()}
        except (KeyError, TypeError, ValueError):
            pass
    return _("格式不正确")


def _parse(kind: str, data: Any) -> _Registration:
    schema = _schema_class(kind)
    if not isinstance(data, dict):
        raise InvalidInput(_("登记数据应为对象"), errors={"__all__": [_("应为对象")]})
    errors = _control_errors(data)
    try:
        form = schema.model_validate(data)
    except SchemaError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            path = ".".join(str(p) for p in error.get("loc", ())) or "__all__"
            if path not in errors:
                errors.setdefault(path, []).append(_message(error))
        form = None
    except RecursionError:
        errors.setdefault("__all__", []).append(_("数据嵌套层次过深"))
        form = None
    if errors or form is None:
        raise _invalid(errors)
    return form


def _invalid(errors: dict[str, list[str]], **fields: Any) -> InvalidInput:
    count = sum(len(m) for m in errors.values())
    first = next(iter(errors.items()))
    detail = _("登记数据有%(count)s处问题，如 %(path)s：%(message)s") % {
        "count": count,
        "path": first[0],
        "message": first[1][0],
    }
    return InvalidInput(detail, errors=errors, **fields)


# ---- stage 2: the rules, section by section (checks.py) --------------------------------------------


def _validate_establish(
    form: EstablishIn, *, region: Region, require: Iterable[str], errors: Errors
) -> dict[str, Any]:
    entity_type = EnterpriseType(form.enterprise_type)
    name = name_section(
        form.name,
        entity_type=entity_type,
        region=region,
        errors=errors,
        exclude=None,
        declaration=form.name_declaration,
    )
    capital_required(form.capital, entity_type, errors)
    scope = scope_section(form.scope, errors)
    address = address_section(form.address, region=region, scope=scope, errors=errors, exclude=None)
    representative = {
        "name": form.legal_representative.name,
        "id_number": resident_id(
            "legal_representative.id_number", form.legal_representative.id_number, errors
        ),
    }
    investors = investors_section(
        form.investors, entity_type=entity_type, capital=form.capital, errors=errors
    )
    sole = entity_type == EnterpriseType.SOLE_PROPRIETORSHIP
    if sole and investors and investors[0]["id_number"] != representative["id_number"]:
        errors.add("legal_representative", _("个人独资企业的负责人登记为其投资人"))
    require_sections(form, require, errors)
    cleaned = form.model_dump(mode="json")
    cleaned.update(
        name={k: name[k] for k in ("region", "trade_name", "industry", "form", "cross_industry")},
        capital=f"{form.capital.quantize(CENT):f}" if form.capital is not None else None,
        scope=[text for text, _item in scope],
        address={k: address[k] for k in ("text", "region", "hosting_agreement", "confirm_shared_address")},
        legal_representative=representative,
        investors=investors,
        contact=contact_section(form.contact, errors),
        tax=tax_section(form.tax, errors),
        derived=derived(
            "establish",
            name=name["full"],
            type_label=str(entity_type.label),
            words_version=name["words_version"],
            scope=scope_out(scope),
            address=address,
        ),
    )
    return cleaned


def _validate_individual(
    form: IndividualIn, *, region: Region, require: Iterable[str], errors: Errors
) -> dict[str, Any]:
    entity_type = EnterpriseType.INDIVIDUAL_BUSINESS
    name = None
    if form.name is not None:
        name = name_section(
            form.name,
            entity_type=entity_type,
            region=region,
            errors=errors,
            exclude=None,
            declaration=form.name_declaration,
        )
    elif form.name_declaration is not None:
        errors.add("name_declaration", _("未使用名称的个体工商户无需名称自主申报"))
    scope = scope_section(form.scope, errors)
    address = address_section(form.address, region=region, scope=scope, errors=errors, exclude=None)
    operator = {
        "name": form.operator.name,
        "id_number": resident_id("operator.id_number", form.operator.id_number, errors),
        "address": form.operator.address,
    }
    family = [
        {"name": m.name, "id_number": resident_id(f"family_members.{i}.id_number", m.id_number, errors)}
        for i, m in enumerate(form.family_members)
    ]
    # 《促进个体工商户发展条例》: a 个体工商户 is run by one person or by a family; the family members who
    # take part are filed (《市场主体登记管理条例》第九条第六项).
    if form.composition == "family" and not family:
        errors.add("family_members", _("家庭经营的个体工商户应填写参加经营的家庭成员"))
    if form.composition == "individual" and family:
        errors.add("family_members", _("个人经营的个体工商户不填写家庭成员；家庭经营请选择“家庭经营”"))
    require_sections(form, require, errors)
    cleaned = form.model_dump(mode="json")
    cleaned.update(
        name={k: name[k] for k in ("region", "trade_name", "industry", "form", "cross_industry")}
        if name
        else None,
        capital=f"{form.capital.quantize(CENT):f}" if form.capital is not None else None,
        scope=[text for text, _item in scope],
        address={k: address[k] for k in ("text", "region", "hosting_agreement", "confirm_shared_address")},
        operator=operator,
        family_members=family,
        contact=contact_section(form.contact, errors),
        tax=tax_section(form.tax, errors),
        derived=derived(
            "individual",
            name=name["full"] if name else "",
            type_label=str(entity_type.label),
            words_version=name["words_version"] if name else "",
            composition_label=COMPOSITION_LABELS[form.composition],
            scope=scope_out(scope),
            address=address,
        ),
    )
    return cleaned


def _enterprise_for(uscc: str, region: Region, errors: Errors) -> Enterprise | None:
    try:
        enterprise = enterprise_get(uscc=uscc)
    except DomainError as exc:
        errors.add("uscc", str(exc))
        return None
    if enterprise.region_id != registration_region(region).pk:
        errors.add(
            "uscc",
            _("该市场主体由%(authority)s登记，不在本登记机关辖区") % {"authority": enterprise.region.name},
        )
        return None
    if enterprise.status != EnterpriseStatus.ACTIVE:
        errors.add("uscc", _("该市场主体已于%(day)s注销") % {"day": enterprise.cancelled_on})
        return None
    return enterprise


def _validate_change(form: ChangeIn, *, region: Region, errors: Errors) -> dict[str, Any]:
    enterprise = _enterprise_for(form.uscc, region, errors)
    if enterprise is None:
        raise _invalid(errors)
    entity_type = EnterpriseType(enterprise.enterprise_type)
    current = enterprise_registration(enterprise=enterprise)
    present = [f for f in CHANGEABLE if getattr(form, f) is not None]
    if not present:
        errors.add("__all__", _("请至少填写一项变更事项"))
    individual = entity_type == EnterpriseType.INDIVIDUAL_BUSINESS
    for field in ("legal_representative", "investors") if individual else ():
        if getattr(form, field) is not None:
            errors.add(field, _("个体工商户不登记此项；经营者变更请办理注销后重新登记"))
    cleaned: dict[str, Any] = {"uscc": enterprise.uscc, "resolution_date": None}
    late = False
    if form.resolution_date is not None:
        if form.resolution_date > today():
            errors.add("resolution_date", _("变更决议日期不能晚于今天"))
        late = (today() - form.resolution_date).days > CHANGE_DEADLINE_DAYS
        cleaned["resolution_date"] = form.resolution_date.isoformat()
    name = None
    if form.name is not None:
        name = name_section(
            form.name,
            entity_type=entity_type,
            region=region,
            errors=errors,
            exclude=enterprise,
            declaration=None,
        )
        cleaned["name"] = {k: name[k] for k in ("region", "trade_name", "industry", "form", "cross_industry")}
    capital = form.capital if form.capital is not None else _decimal(current.get("capital"))
    if form.capital is not None:
        if not individual:
            capital_required(form.capital, entity_type, errors)
        cleaned["capital"] = f"{form.capital.quantize(CENT):f}"
    if form.currency is not None:
        if individual and form.currency != "CNY":
            errors.add("currency", _("个体工商户的资金数额以人民币登记"))
        cleaned["currency"] = form.currency
    scope = scope_section(form.scope if form.scope is not None else current.get("scope", []), errors)
    if form.scope is not None:
        cleaned["scope"] = [text for text, _item in scope]
    address = None
    if form.address is not None:
        address = address_section(form.address, region=region, scope=scope, errors=errors, exclude=enterprise)
        cleaned["address"] = {
            k: address[k] for k in ("text", "region", "hosting_agreement", "confirm_shared_address")
        }
    elif form.scope is not None and enterprise.hosting_agreement_id is not None:
        # A new scope must still suit the hosting company the enterprise stays with.
        kept = AddressIn(hosting_agreement=enterprise.hosting_agreement_id)
        address_section(kept, region=region, scope=scope, errors=errors, exclude=enterprise)
    if form.legal_representative is not None and not individual:
        cleaned["legal_representative"] = {
            "name": form.legal_representative.name,
            "id_number": resident_id(
                "legal_representative.id_number", form.legal_representative.id_number, errors
            ),
        }
    if (form.investors is not None or form.capital is not None) and not individual:
        investors = form.investors
        if investors is None:
            investors = [InvestorIn.model_validate(i) for i in current.get("investors", [])]
        cleaned_investors = investors_section(
            investors, entity_type=entity_type, capital=capital, errors=errors
        )
        if form.investors is not None:
            cleaned["investors"] = cleaned_investors
    if form.contact is not None:
        cleaned["contact"] = contact_section(form.contact, errors)
    cleaned["derived"] = derived(
        "change",
        changed=present,
        name=name["full"] if name else enterprise.name,
        late=late,
        late_basis=_("《市场主体登记管理条例》第二十四条：自作出变更决议、决定之日起30日内申请变更登记")
        if late
        else "",
        scope=scope_out(scope),
        address=address,
    )
    return cleaned


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def _validate_cancel(form: CancelIn, *, region: Region, errors: Errors) -> dict[str, Any]:
    enterprise = _enterprise_for(form.uscc, region, errors)
    if enterprise is None:
        raise _invalid(errors)
    individual = enterprise.enterprise_type == EnterpriseType.INDIVIDUAL_BUSINESS
    # 公司法 第二百三十二条 ff.: a dissolved company is liquidated before it is deregistered; the
    # simplified procedure (《市场主体登记管理条例》第三十三条) and 个体工商户 need no liquidation report.
    if (
        form.reason == "dissolution"
        and not form.simplified
        and not individual
        and form.liquidation_completed_on is None
    ):
        errors.add("liquidation_completed_on", _("解散注销的，请填写清算完成日期（普通注销须提交清算报告）"))
    if form.liquidation_completed_on is not None and form.liquidation_completed_on > today():
        errors.add("liquidation_completed_on", _("清算完成日期不能晚于今天"))
    cleaned = form.model_dump(mode="json")
    cleaned["uscc"] = enterprise.uscc
    cleaned["derived"] = derived("cancel", name=enterprise.name, reason_label=CANCEL_REASONS[form.reason])
    return cleaned


def registration_validate(
    kind: str,
    data: Any,
    *,
    region: Region,
    require: Iterable[str] = (),
) -> dict[str, Any]:
    """Check a registration form of `kind` for the registering authority of `region` and return the
    cleaned data (JSON-safe, itself valid input; ``derived`` holds what the server worked out: the
    full name, the scope items' kinds and licences, the hosting company, the addresses shared).

    Checks, beyond the schema: the name (``names.check_name``, and 第十七条 against the register),
    capital > 0 for companies and partnerships, identity numbers (GB 11643 / GB 32100), the number
    of investors by type, shares adding up to 100 % and contributions to the capital, partners'
    liabilities, a hosting agreement (pending, in capacity, allowed industries, no activity needing
    premises) or the 一址多照 rule for the address, contact phone and e-mail, and the sections in
    `require` ("tax", "social") that the chosen bundle option needs.

    Raises ``InvalidInput`` with ``errors={"path": [messages]}`` for every problem of a stage at
    once: first the structure (types, lengths, control characters, numbers out of range), then the
    rules. When the only question is a shared address, ``needs_confirmation`` names the field the
    window sets after checking.
    """
    form = _parse(kind, data)
    errors = Errors()
    if kind == "establish":
        cleaned = _validate_establish(form, region=region, require=require, errors=errors)
    elif kind == "individual":
        cleaned = _validate_individual(form, region=region, require=require, errors=errors)
    elif kind == "change":
        cleaned = _validate_change(form, region=region, errors=errors)
    else:
        cleaned = _validate_cancel(form, region=region, errors=errors)
    if errors:
        confirm = [path for path in errors if path.endswith("confirm_shared_address")]
        raise _invalid(dict(errors), **({"needs_confirmation": confirm} if confirm else {}))
    return cleaned
