"""Reads of the market-entity register: enterprises and their versions, the name and address
checks, the scope list and forbidden words, and the 商务秘书企业 hosting registry."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from onewindow.core.errors import InvalidInput, NotFound
from onewindow.core.timeutil import today
from onewindow.enterprises import names
from onewindow.enterprises.models import (
    AddressPolicy,
    AgreementStatus,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    EnterpriseVersion,
    HostingAgreement,
    HostingCompany,
)
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.org import idcodes
from onewindow.org.authz import scope_q
from onewindow.org.models import Region, RegionLevel

DATA_DIR = Path(__file__).parent / "data"
SCOPE_FILE = DATA_DIR / "business_scope.yaml"
FORBIDDEN_WORDS_FILE = DATA_DIR / "name_forbidden_words.yaml"
# 《企业名称登记管理规定》第十七条: a name changed or cancelled less than a year ago still blocks the
# same trade name in the same industry.
FORMER_NAME_PROTECTION_DAYS = 365
# The hosting registry shows agreements ending within this many days (seed 001's "到期提醒").
AGREEMENT_ENDING_WITHIN_DAYS = 30
MAX_DB_ID = 2**63 - 1


# ---- the data files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeItem:
    """One standard business-scope wording (经营范围规范表述)."""

    name: str
    kind: str  # "general" 一般项目 | "licensed" 许可项目
    industry: str
    licence: str = ""
    premises: bool = False


@dataclass(frozen=True)
class ScopeCatalogue:
    version: str
    industries: tuple[str, ...]
    items: tuple[ScopeItem, ...]
    name_industries: tuple[str, ...]
    by_key: dict[str, ScopeItem] = field(default_factory=dict, compare=False, repr=False)

    def find(self, text: str) -> ScopeItem | None:
        """The standard item written as `text` (compared by `names.name_key`), or None."""
        return self.by_key.get(names.name_key(text))


@functools.cache
def scope_catalogue() -> ScopeCatalogue:
    """The business-scope list (data/business_scope.yaml), read once per process."""
    document = yaml.safe_load(SCOPE_FILE.read_text(encoding="utf-8"))
    items = tuple(
        ScopeItem(
            name=row["name"],
            kind=row["kind"],
            industry=row["industry"],
            licence=row.get("licence", ""),
            premises=bool(row.get("premises", False)),
        )
        for row in document["items"]
    )
    return ScopeCatalogue(
        version=str(document["version"]),
        industries=tuple(document["industries"]),
        items=items,
        name_industries=tuple(document.get("name_industries", ())),
        by_key={names.name_key(item.name): item for item in items},
    )


@functools.cache
def forbidden_words() -> names.ForbiddenWords:
    """The versioned forbidden-words list (data/name_forbidden_words.yaml), read once per process."""
    return names.ForbiddenWords.from_document(
        yaml.safe_load(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8"))
    )


# ---- regions ---------------------------------------------------------------------------------------


def region_chain(region: Region) -> list[Region]:
    """`region` and the regions above it, the province first."""
    chain = [region]
    while chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain[::-1]


def registration_region(region: Region) -> Region:
    """The county-level (or higher) region whose authority registers entities of `region`: a town or
    village hall takes applications for its county's 市场监管 (or its 市场监管所, which registers in
    the county's name). Its 6-digit code is the USCC's positions 3–8."""
    for candidate in reversed(region_chain(region)):
        if candidate.level in (RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE):
            return candidate
    return region


def region_expressions_for(region: Region) -> list[str]:
    """The division names a name registered in `region` may carry (`names.region_expressions`)."""
    return names.region_expressions([(r.level, r.name) for r in region_chain(registration_region(region))])


_REGION_SUFFIXES = (
    "",
    "省",
    "市",
    "县",
    "区",
    "自治区",
    "自治州",
    "自治县",
    "特别行政区",
    "地区",
    "盟",
    "旗",
)


def reserved_region_names(trade_name: str) -> set[str]:
    """{`trade_name`} when it is the name (or the short name) of a county-level or higher division
    known to this installation, else empty: such a name may not be a trade name
    (《企业名称登记管理规定》第八条)."""
    if not trade_name:
        return set()
    candidates = [trade_name + suffix for suffix in _REGION_SUFFIXES]
    levels = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
    return {trade_name} if Region.objects.filter(level__in=levels, name__in=candidates).exists() else set()


def address_region_names(region: Region) -> list[str]:
    """The names an address in `region` may start with (province down to `region`, with the short
    province and city names), for `names.address_key`."""
    found: list[str] = []
    for r in region_chain(region):
        found.append(r.name)
        if r.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
            found += [e for e in names.region_expressions([("province", r.name)]) if e != r.name]
    return found


def address_key_for(address: str, region: Region) -> str:
    return names.address_key(address, region_names=address_region_names(region))


# ---- enterprises -----------------------------------------------------------------------------------


def enterprise_get(*, uscc: str) -> Enterprise:
    """The enterprise with this unified social credit code. Raises ``InvalidInput`` for a code
    that is not a valid GB 32100 code (naming the wrong character) and ``NotFound`` for an
    unknown one."""
    try:
        code = idcodes.validate_uscc(uscc)
    except idcodes.InvalidCode as exc:
        raise InvalidInput(str(exc), errors={"uscc": [str(exc)]}) from None
    found = (
        Enterprise.objects.select_related(
            "applicant", "region", "address_region", "hosting_agreement__company"
        )
        .filter(applicant__id_number=code)
        .first()
    )
    if found is None:
        raise NotFound(f"统一社会信用代码 {idcodes.mask_uscc(code)} 未登记")
    return found


def enterprise_versions(*, enterprise: Enterprise) -> QuerySet[EnterpriseVersion]:
    """Every registered state of `enterprise`, oldest first."""
    return enterprise.versions.order_by("number")


def enterprise_registration(*, enterprise: Enterprise) -> dict[str, Any]:
    """The registered items of `enterprise` as they stand (the current version's data)."""
    return enterprise.versions.get(number=enterprise.version).data


# Labels of the 营业执照's fields by entity type (《市场主体登记管理条例》第二十二条; 营业执照样式 of
# 市场监管总局): the person in charge and the money are called differently by type.
_LEADER_LABEL = {
    EnterpriseType.LIMITED_COMPANY: "法定代表人",
    EnterpriseType.JOINT_STOCK_COMPANY: "法定代表人",
    EnterpriseType.SOLE_PROPRIETORSHIP: "投资人",
    EnterpriseType.GENERAL_PARTNERSHIP: "执行事务合伙人",
    EnterpriseType.LIMITED_PARTNERSHIP: "执行事务合伙人",
    EnterpriseType.INDIVIDUAL_BUSINESS: "经营者",
}
# 个体工商户 are run by one person or a family (《促进个体工商户发展条例》).
COMPOSITION_LABELS = {"individual": "个人经营", "family": "家庭经营"}
_CAPITAL_LABEL = {EnterpriseType.LIMITED_COMPANY: "注册资本", EnterpriseType.JOINT_STOCK_COMPANY: "注册资本"}
_ADDRESS_LABEL = {
    EnterpriseType.GENERAL_PARTNERSHIP: "主要经营场所",
    EnterpriseType.LIMITED_PARTNERSHIP: "主要经营场所",
    EnterpriseType.INDIVIDUAL_BUSINESS: "经营场所",
}


def capital_text(amount: Any, currency: str) -> str:
    """Capital as printed on a licence: 万元 with up to six decimals, e.g. 100万元人民币."""
    if amount is None:
        return ""
    wan = (amount / 10000).normalize()
    text = f"{wan:f}"
    label = {"CNY": "人民币", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑"}[
        currency
    ]
    return f"{text}万元{label}"


def enterprise_licence_data(*, enterprise: Enterprise) -> dict[str, str]:
    """The contents of the 营业执照 of `enterprise`, as ``licences.licence_issue(data=…)`` takes them:
    name, credit code, type, the person in charge, capital, date of establishment, address and
    scope, labelled as the licence prints them for the entity's type."""
    kind = EnterpriseType(enterprise.enterprise_type)
    data = {
        "名称": enterprise.name,
        "统一社会信用代码": enterprise.uscc,
        "类型": kind.label,
        _LEADER_LABEL[kind]: enterprise.legal_representative,
        "成立日期": enterprise.established_on.isoformat(),
        _ADDRESS_LABEL.get(kind, "住所"): enterprise.address,
        "经营范围": "；".join(enterprise.business_scope),
    }
    if enterprise.registered_capital is not None and kind is not EnterpriseType.INDIVIDUAL_BUSINESS:
        data[_CAPITAL_LABEL.get(kind, "出资额")] = capital_text(
            enterprise.registered_capital, enterprise.currency
        )
    if kind is EnterpriseType.INDIVIDUAL_BUSINESS:
        composition = enterprise_registration(enterprise=enterprise).get("composition", "individual")
        data["组成形式"] = COMPOSITION_LABELS.get(composition, composition)
    return {k: str(v) for k, v in data.items()}


# ---- name and address checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class NameConflict:
    """A registered (or recently given up) name the proposed one may not repeat."""

    name: str
    reason: str  # Chinese: why it blocks

    def __str__(self) -> str:
        return f"与“{self.name}”{self.reason}"


def name_taken(
    *,
    name: names.NameParts,
    region: Region,
    exclude: Enterprise | None = None,
    on: dt.date | None = None,
) -> NameConflict | None:
    """The registered name `name` may not repeat within the authority of `region`, or None.

    《企业名称登记管理规定》第十七条: within one registering authority the trade name may not be that
    of (1) a registered enterprise of the same industry or whose name has no industry, or of one
    whose name (2) was changed or (3) cancelled less than a year ago. Compared by
    ``names.name_key``; `exclude` is the enterprise itself (a change of its own name).
    """
    on = on or today()
    authority = registration_region(region)
    key = names.name_key(name.trade_name)
    if not key:
        return None
    since = on - dt.timedelta(days=FORMER_NAME_PROTECTION_DAYS)
    current = Enterprise.objects.filter(region=authority, trade_name_key=key).filter(
        Q(status=EnterpriseStatus.ACTIVE) | Q(cancelled_on__gt=since)
    )
    if exclude is not None:
        current = current.exclude(pk=exclude.pk)
    for other in current.order_by("pk"):
        registered = names.NameParts(
            other.name_region, other.trade_name, other.industry, other.organisational_form
        )
        if names.trade_names_conflict(name, registered):
            reason = (
                "字号相同且行业相同（已登记）"
                if other.status == EnterpriseStatus.ACTIVE
                else "字号相同（注销未满一年）"
            )
            return NameConflict(other.name, reason)
    since_moment = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    former = EnterpriseVersion.objects.filter(
        enterprise__region=authority, trade_name_key=key, valid_to__gt=since_moment
    ).select_related("enterprise")
    if exclude is not None:
        former = former.exclude(enterprise=exclude)
    for version in former.order_by("pk"):
        parts = version.data.get("name") or {}
        registered = names.NameParts(
            parts.get("region", ""),
            parts.get("trade_name", ""),
            parts.get("industry", ""),
            parts.get("form", ""),
        )
        if names.name_key(registered.full) != names.name_key(
            version.enterprise.name
        ) and names.trade_names_conflict(name, registered):
            return NameConflict(version.name, "字号相同（名称变更未满一年）")
    return None


def address_in_use(
    *, address: str, region: Region, exclude: Enterprise | None = None
) -> QuerySet[Enterprise]:
    """Active enterprises of `region`'s authority registered at `address` (compared by
    ``names.address_key``)."""
    found = Enterprise.objects.filter(
        region=registration_region(region),
        address_key=address_key_for(address, region),
        status=EnterpriseStatus.ACTIVE,
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("pk")


@dataclass(frozen=True)
class AddressCheck:
    """What the register says about a proposed address: who is there already, whether it is a
    hosting company's address, and whether another entity may register there."""

    key: str
    in_use: list[str]
    hosting_company: HostingCompany | None
    policy: AddressPolicy | None
    shared_allowed: bool
    needs_confirmation: bool
    message: str = ""


def _policy_for(key: str, region: Region) -> AddressPolicy | None:
    chain = region_chain(region)
    policies = AddressPolicy.objects.filter(region__in=chain, is_active=True, address_key__in=[key, ""])
    depth = {r.pk: i for i, r in enumerate(chain)}
    # The most specific policy wins: an address's own, then the lowest region's.
    return min(policies, key=lambda p: (p.address_key == "", -depth[p.region_id]), default=None)


def address_check(*, address: str, region: Region, exclude: Enterprise | None = None) -> AddressCheck:
    """Whether `address` (in `region`) can be registered, under the 一址多照 rules.

    * A 商务秘书企业's address takes entities only by a hosting agreement (seed 001): ``hosting_company``
      is set, and the caller refuses a plain registration there.
    * An address policy (``AddressPolicy``: the address's own, else its region's) allowing 一址多照
      lets several entities register, up to its capacity (《市场主体登记管理条例》第十一条第三款).
    * Otherwise an address already registered is a warning: ``needs_confirmation``.
    """
    key = address_key_for(address, region)
    authority = registration_region(region)
    # A hosted enterprise's address is the company's address with a mark after it, so a prefix match.
    companies = HostingCompany.objects.filter(region__code__startswith=authority.prefix, is_active=True)
    hosting = next(
        (c for c in companies.order_by("pk") if c.address_key and key.startswith(c.address_key)), None
    )
    users = list(
        address_in_use(address=address, region=region, exclude=exclude).values_list("name", flat=True)
    )
    policy = _policy_for(key, region)
    allowed = policy is not None and policy.shared_allowed
    message, confirm = "", False
    if hosting is not None:
        message = f"该地址是商务秘书企业“{hosting.name}”的托管地址，须与其签订托管协议后以托管方式登记"
    elif users and allowed and policy.capacity is not None and len(users) >= policy.capacity:
        message = (
            f"该地址已登记{len(users)}户，达到住所登记政策允许的上限{policy.capacity}户（{policy.basis}）"
        )
    elif users and not allowed:
        confirm = True
        shown = "、".join(users[:3]) + ("等" if len(users) > 3 else "")
        message = (
            f"该地址已是{shown}{len(users)}户市场主体的登记住所，本地未实行一址多照；"
            "如确属同一地址多个主体登记，请窗口核实后确认"
        )
    return AddressCheck(key, users, hosting, policy, allowed, confirm, message)


# ---- hosting ---------------------------------------------------------------------------------------

_HELD = (AgreementStatus.PENDING, AgreementStatus.ACTIVE)


def hosting_company_get(*, uscc: str) -> HostingCompany:
    """The hosting company with this credit code; ``InvalidInput`` for a malformed code,
    ``NotFound`` for an unknown one."""
    try:
        code = idcodes.validate_uscc(uscc)
    except idcodes.InvalidCode as exc:
        raise InvalidInput(str(exc), errors={"uscc": [str(exc)]}) from None
    found = HostingCompany.objects.select_related("region", "authority").filter(uscc=code).first()
    if found is None:
        raise NotFound(f"商务秘书企业 {idcodes.mask_uscc(code)} 不存在")
    return found


def hosting_company_list(*, region: Region | None = None) -> QuerySet[HostingCompany]:
    """Hosting companies (within `region`), each annotated with ``held`` (agreements pending or
    active) and ``hosted`` (active)."""
    found = HostingCompany.objects.select_related("region", "authority").annotate(
        held=Count("agreements", filter=Q(agreements__status__in=_HELD)),
        hosted=Count("agreements", filter=Q(agreements__status=AgreementStatus.ACTIVE)),
    )
    if region is not None:
        found = found.filter(region__code__startswith=region.prefix)
    return found.order_by("name")


def hosting_agreement_get(*, pk: int) -> HostingAgreement:
    """The agreement `pk`; ``NotFound`` when there is none (ids beyond the database's range too)."""
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk <= MAX_DB_ID:
        raise NotFound(f"托管协议 {pk} 不存在")
    found = HostingAgreement.objects.select_related("company", "enterprise").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"托管协议 {pk} 不存在")
    return found


def hosting_held_count(*, company: HostingCompany, exclude: HostingAgreement | None = None) -> int:
    """Agreements of `company` that take a place: signed and pending registration, or active."""
    found = company.agreements.filter(status__in=_HELD)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.count()


def hosting_agreements_past_end(on: dt.date | None = None) -> QuerySet[HostingAgreement]:
    """Agreements still pending or active whose last day is before `on` (today): the timer ends
    them and flags their enterprise for a change of address."""
    return HostingAgreement.objects.filter(status__in=_HELD, ends_on__lt=on or today()).order_by(
        "ends_on", "pk"
    )


def hosting_agreements_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``."""
    return hosting_agreements_past_end().count()


def hosting_agreements_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog: the midnight after the oldest unended agreement's last day."""
    last = hosting_agreements_past_end().aggregate(m=Min("ends_on"))["m"]
    if last is None:
        return None
    return timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))


def enterprises_needing_address_change(
    *, region: Region | None = None, on: dt.date | None = None
) -> QuerySet[Enterprise]:
    """Active enterprises registered at a hosting address whose agreement has ended (or whose last
    day is past, even before the timer has run): they must register a new address
    (《市场主体登记管理条例》第二十四条: within 30 days of the change)."""
    on = on or today()
    found = Enterprise.objects.filter(status=EnterpriseStatus.ACTIVE, hosting_agreement__isnull=False).filter(
        Q(hosting_agreement__status=AgreementStatus.ENDED) | Q(hosting_agreement__ends_on__lt=on)
    )
    if region is not None:
        found = found.filter(region__code__startswith=region.prefix)
    return found.select_related("applicant", "hosting_agreement__company").order_by(
        "hosting_agreement__ends_on"
    )


@dataclass(frozen=True)
class HostedEnterprise:
    name: str
    uscc_masked: str
    agreement_id: int
    starts_on: dt.date
    ends_on: dt.date
    ends_soon: bool
    ended: bool


@dataclass(frozen=True)
class HostingOverview:
    """What 市场监管 sees of one hosting company: capacity, places taken, its hosted enterprises with
    their agreement dates, agreements ending soon, and enterprises to move out."""

    company: HostingCompany
    capacity: int
    held: int
    pending: int
    hosted: list[HostedEnterprise]
    ending_soon: list[HostedEnterprise]
    needing_address_change: list[HostedEnterprise]

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.held)


def hosting_company_overview(
    *, company: HostingCompany, on: dt.date | None = None, within_days: int = AGREEMENT_ENDING_WITHIN_DAYS
) -> HostingOverview:
    """The hosting registry page of `company` (seed 001: 入驻企业名册, 托管容量, 协议到期)."""
    on = on or today()
    soon = on + dt.timedelta(days=within_days)
    rows = []
    agreements = company.agreements.select_related("enterprise__applicant").filter(
        Q(status=AgreementStatus.ACTIVE)
        | Q(status=AgreementStatus.ENDED, enterprise__hosting_agreement=F("pk"))
    )
    for agreement in agreements.order_by("ends_on", "pk"):
        enterprise = agreement.enterprise
        if enterprise is None or enterprise.status != EnterpriseStatus.ACTIVE:
            continue
        ended = agreement.status == AgreementStatus.ENDED or agreement.ends_on < on
        rows.append(
            HostedEnterprise(
                name=enterprise.name,
                uscc_masked=idcodes.mask_uscc(enterprise.applicant.id_number),
                agreement_id=agreement.pk,
                starts_on=agreement.starts_on,
                ends_on=agreement.ends_on,
                ends_soon=not ended and agreement.ends_on <= soon,
                ended=ended,
            )
        )
    pending = company.agreements.filter(status=AgreementStatus.PENDING).count()
    active = company.agreements.filter(status=AgreementStatus.ACTIVE).count()
    return HostingOverview(
        company=company,
        capacity=company.capacity,
        held=pending + active,
        pending=pending,
        hosted=[r for r in rows if not r.ended],
        ending_soon=[r for r in rows if r.ends_soon],
        needing_address_change=[r for r in rows if r.ended],
    )


# ---- the hosting register pages (市场监管) ---------------------------------------------------------

# A register row links its enterprise's code to the public check of this licence (/verify/<证号>).
BUSINESS_LICENCE = "营业执照"
# A hosting company with this share of its places taken, or more, is shown as nearly full.
NEARLY_FULL_PERCENT = 90
# The register page shows the latest ended agreements only: they pile up over the years.
ENDED_AGREEMENTS_SHOWN = 100


def _nearly_full(held: int, capacity: int) -> bool:
    return held * 100 >= capacity * NEARLY_FULL_PERCENT


@dataclass(frozen=True)
class HostingRegisterEntry:
    """One line of the register list: a hosting company with its places taken (``held``: pending and
    active agreements) and free, agreements ending within ``AGREEMENT_ENDING_WITHIN_DAYS`` and
    hosted enterprises that must register a new address."""

    company: HostingCompany
    held: int
    free: int
    ending_soon: int
    address_changes: int
    nearly_full: bool


def hosting_company_list_for_user(user: Any, *, on: dt.date | None = None) -> list[HostingRegisterEntry]:
    """The hosting companies whose registering authority `user` may see (``hosting.view`` over the
    company's ``authority``: its staff, and supervisors and administrators over it), by name, in a
    fixed number of queries. "Ending soon" counts agreements still held whose last day is within
    ``AGREEMENT_ENDING_WITHIN_DAYS`` of `on` (today); the address changes are
    ``enterprises_needing_address_change`` of each company."""
    on = on or today()
    soon = on + dt.timedelta(days=AGREEMENT_ENDING_WITHIN_DAYS)
    moving = (
        enterprises_needing_address_change(on=on)
        .filter(hosting_agreement__company=OuterRef("pk"))
        .order_by()
        .values("hosting_agreement__company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        hosting_company_list()
        .filter(scope_q(user, "hosting.view", department_field="authority"))
        .annotate(
            ending_soon=Count(
                "agreements",
                filter=Q(agreements__status__in=_HELD, agreements__ends_on__range=(on, soon)),
            ),
            address_changes=Coalesce(Subquery(moving), 0),
        )
    )
    return [
        HostingRegisterEntry(
            company=c,
            held=c.held,
            free=max(0, c.capacity - c.held),
            ending_soon=c.ending_soon,
            address_changes=c.address_changes,
            nearly_full=_nearly_full(c.held, c.capacity),
        )
        for c in found
    ]


def hosting_company_get_for_user(*, uscc: str, user: Any) -> HostingCompany:
    """`hosting_company_get`, for a user who may see its authority's register (``hosting.view``);
    ``NotFound`` for a company out of the user's sight, worded as for an unknown one, and
    ``InvalidInput`` for a malformed code."""
    company = hosting_company_get(uscc=uscc)
    visible = HostingCompany.objects.filter(pk=company.pk).filter(
        scope_q(user, "hosting.view", department_field="authority")
    )
    if not visible.exists():
        raise NotFound(f"商务秘书企业 {idcodes.mask_uscc(company.uscc)} 不存在")
    return company


@dataclass(frozen=True)
class HostingAgreementRow:
    """One 托管协议 on the register page. ``name`` is the enterprise's, or the proposed name before
    registration; ``uscc`` is empty before registration; ``licence_number`` is the enterprise's
    valid 营业执照 in the licence library, empty when it holds none. ``days_left`` counts from `on`
    to the last day (negative once past it) and is None for an ended agreement."""

    agreement: HostingAgreement
    name: str
    uscc: str
    licence_number: str
    days_left: int | None
    ends_soon: bool

    @property
    def days_past_end(self) -> int:
        """Days since the last day of an agreement still held (the timer has not ended it yet)."""
        return max(0, -(self.days_left or 0))


@dataclass(frozen=True)
class HostingRegister:
    """The register page of one hosting company: places, its agreements (held ones by last day,
    then the latest ``ENDED_AGREEMENTS_SHOWN`` ended ones, latest ended first; ``ended_not_shown``
    counts the older ones) and the enterprises that must change address."""

    company: HostingCompany
    on: dt.date
    held: int
    pending: int
    active: int
    free: int
    nearly_full: bool
    ending_soon: int
    ended_not_shown: int
    agreements: list[HostingAgreementRow]
    address_changes: list[HostingAgreementRow]


def _business_licences(applicant_ids: set[int]) -> dict[int, str]:
    """Applicant id → number of its newest valid 营业执照."""
    found = (
        Licence.objects.filter(
            holder_id__in=applicant_ids, licence_type__name=BUSINESS_LICENCE, status=LicenceStatus.VALID
        )
        .order_by("issued_at", "pk")
        .values_list("holder_id", "number")
    )
    return dict(found)


def hosting_company_register(*, company: HostingCompany, on: dt.date | None = None) -> HostingRegister:
    """The register page of `company` (seed 001: 入驻企业名册, 托管容量, 协议到期): its agreements
    with their enterprise and days left, and its enterprises in ``enterprises_needing_address_change``
    (《市场主体登记管理条例》第二十四条), in a fixed number of queries."""
    on = on or today()
    soon = on + dt.timedelta(days=AGREEMENT_ENDING_WITHIN_DAYS)
    rows = company.agreements.select_related("enterprise__applicant")
    held = list(rows.filter(status__in=_HELD).order_by("ends_on", "pk"))
    ended = rows.filter(status=AgreementStatus.ENDED)
    ended_count = ended.count()
    ended_shown = list(ended.order_by("-ended_on", "-pk")[:ENDED_AGREEMENTS_SHOWN])
    agreements = held + ended_shown
    moving = list(
        enterprises_needing_address_change(on=on)
        .filter(hosting_agreement__company=company)
        .select_related("hosting_agreement__enterprise__applicant")
    )
    licences = _business_licences(
        {a.enterprise.applicant_id for a in agreements if a.enterprise is not None}
        | {e.applicant_id for e in moving}
    )

    def row(agreement: HostingAgreement) -> HostingAgreementRow:
        enterprise = agreement.enterprise
        is_ended = agreement.status == AgreementStatus.ENDED
        return HostingAgreementRow(
            agreement=agreement,
            name=enterprise.name if enterprise is not None else agreement.proposed_name,
            uscc=enterprise.uscc if enterprise is not None else "",
            licence_number=licences.get(enterprise.applicant_id, "") if enterprise is not None else "",
            days_left=None if is_ended else (agreement.ends_on - on).days,
            ends_soon=not is_ended and on <= agreement.ends_on <= soon,
        )

    pending = sum(1 for a in held if a.status == AgreementStatus.PENDING)
    rows_shown = [row(a) for a in agreements]
    return HostingRegister(
        company=company,
        on=on,
        held=len(held),
        pending=pending,
        active=len(held) - pending,
        free=max(0, company.capacity - len(held)),
        nearly_full=_nearly_full(len(held), company.capacity),
        ending_soon=sum(1 for r in rows_shown if r.ends_soon),
        ended_not_shown=max(0, ended_count - len(ended_shown)),
        agreements=rows_shown,
        address_changes=[row(e.hosting_agreement) for e in moving],
    )


def hosting_register_visible(user: Any) -> bool:
    """Whether `user` may see the hosting register of at least one 商务秘书企业 (one query)."""
    return hosting_company_list().filter(scope_q(user, "hosting.view", department_field="authority")).exists()
