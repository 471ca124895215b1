"""The simulator's licence pass: the e-licences of the simulated history (``bench.simulate``).

Approved cases get the licence their item issues, signed with the deployment's key exactly as
``licences.services.licence_issue`` signs it, so ``/verify`` and the offline check accept them;
an approved 设立登记 or 个体工商户登记 first founds the enterprise that holds the application's
results (a valid GB 32100 code with the "MA" body of new registrations); a 一业一证 application
whose permits are all issued gets its integrated licence. Rows are written in bulk with the
batch (``core.bulk``), one query per batch for the holders' names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from onewindow.bench.simdata import COMPANY_FORMS, COMPANY_TRADES, COMPANY_WORDS, GIVEN, SURNAMES
from onewindow.cases.models import CaseStatus
from onewindow.catalog.models import Audience, Registration
from onewindow.licences import signing
from onewindow.licences.models import (
    IntegratedPermit,
    Licence,
    LicenceAction,
    LicenceEvent,
    LicenceStatus,
    LicenceType,
)
from onewindow.licences.services import (
    integrated_type_name,
    licence_number_stem,
    payload_build,
    permit_entry,
    permit_scope,
    signing_key_active,
    signing_key_ensure,
    validity_end,
)
from onewindow.org import idcodes
from onewindow.org.models import Applicant, ApplicantKind, Department

if TYPE_CHECKING:
    from onewindow.bench.simulate import ItemPlan

# 个体工商户 names: the shop's 字号 and what it is (a 个体工商户 may omit the 组织形式).
SHOP_KINDS = ["小吃店", "便利店", "理发店", "五金店", "水果店", "早餐店", "服装店", "干洗店", "茶馆"]
STREETS = ["人民路", "武陵大道", "洞庭大道", "朗州路", "建设路", "沅安路", "柳叶大道", "穿紫河路"]
# Approving one of these registrations founds the enterprise that its results are issued to.
FOUNDING = (Registration.ESTABLISH, Registration.INDIVIDUAL)
BUSINESS_SCOPES = [
    "一般项目：技术服务、技术开发、技术咨询、技术交流；软件开发",
    "一般项目：餐饮管理；食品销售（仅销售预包装食品）",
    "许可项目：药品零售；一般项目：第二类医疗器械销售",
    "一般项目：日用百货销售；五金产品零售；家用电器销售",
    "一般项目：国内货物运输代理；普通货物仓储服务",
    "一般项目：建筑材料销售；工程管理服务",
    "一般项目：组织文化艺术交流活动；广告设计、代理",
]
# Plausible contents of the licence types' public fields (the demo types'), by field name.
SAMPLE_DATA = {
    "主体业态": "食品销售经营者",
    "经营项目": "预包装食品销售（含冷藏冷冻食品）",
    "食品类别": "糕点、饮料",
    "许可项目": "住宿场所、美容店",
    "服务范围": "职业介绍、人才供求信息的收集和发布",
    "用途": "城镇住宅用地/住宅",
    "通行路线": "G319常德城区段—S306",
}


@dataclass
class PendingResults:
    """An application's cases whose results are licences, or whose approval founds an enterprise,
    waiting for the batch's licence pass (which looks the holders up once for the whole batch)."""

    app_id: int
    number: str
    bundle_id: int | None
    applicant_id: int
    cases: list[tuple[ItemPlan, dict]]


def applicant_kind(plans: list[ItemPlan]) -> str | None:
    """Who applies for these items: the founder (a person) for a registration that founds an
    enterprise, else whom the items serve (None: anyone)."""
    if any(p.registration in FOUNDING for p in plans):
        return ApplicantKind.PERSON
    audiences = {p.audience for p in plans}
    if Audience.ENTITY in audiences:
        return ApplicantKind.ENTITY
    if Audience.PERSON in audiences:
        return ApplicantKind.PERSON
    return None


class Issued(NamedTuple):
    """A licence written in this batch, as an integrated licence lists it."""

    pk: int
    licence_type: LicenceType
    number: str
    issued_at: dt.datetime
    valid_from: dt.date
    expires_on: dt.date | None
    data: dict[str, str]


class LicencePass:
    """The licence pass of ``bench.simulate.Simulator`` (a mixin: it uses the simulator's random
    generator, county, time zone, summary, items and ``_event``)."""

    def _load_licensing(self) -> None:
        """The departments that issue, and the deployment's signing key (created if there is none,
        as ``load-demo`` does): approved cases get real, verifiable e-licences."""
        self.departments = {
            d.pk: (d.name, d.region.code[:6]) for d in Department.objects.select_related("region")
        }
        self.key = None
        if any(p.licence_type for p in self.items.values()):
            signing_key_ensure()
            self.key = signing_key_active()
            self.sign = self.key.signer()
        self.stems: dict[tuple[str, str, int], tuple[str, dict[str, str]]] = {}
        self.masters: dict[int, int] = {}  # holder id → their latest business licence's id
        self.founded_codes: set[str] = set()
        self.pending: list[PendingResults] = []

    def _holders(self, ids: set[int]) -> dict[int, tuple[str, str, str]]:
        """Name, kind and ID number of these applicants (one query per 900: SQLite's limit)."""
        found: dict[int, tuple[str, str, str]] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            rows = Applicant.objects.filter(pk__in=ordered[start : start + 900])
            for pk, name, kind, id_number in rows.values_list("pk", "name", "kind", "id_number"):
                found[pk] = (name, kind, id_number)
        return found

    def _results(self, out, next_ids, sequences) -> None:
        """The batch's licence pass, as ``cases.services.decision`` issues them: each approved
        case whose item has a licence type gets it, signed, from the decision; an approved
        设立登记 (or a business licence asked for by a person) first founds the enterprise that
        holds the application's results; a 一业一证 application whose permits are all issued gets
        its integrated licence (``licences.services.licence_issue_integrated``)."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        holders = self._holders({app.applicant_id for app in pending})
        for app in pending:
            holder_id, holder = app.applicant_id, holders[app.applicant_id]
            founding = next(
                (
                    (plan, case)
                    for plan, case in app.cases
                    if case["decision"] == "approve"
                    and (
                        plan.registration in FOUNDING
                        or (
                            plan.licence_type
                            and self.licence_types[plan.licence_type].is_master
                            and holder[1] == ApplicantKind.PERSON
                        )
                    )
                ),
                None,
            )
            registration: dict[str, str] = {}
            if founding is not None:
                holder_id, holder, registration = self._found(out, next_ids, *founding)
                for _plan, case in app.cases:
                    case["holder_id"] = holder_id
            permits: list[Issued | None] = []
            for plan, case in app.cases:
                if not plan.licence_type:
                    continue
                if case["decision"] != "approve":
                    permits.append(None)
                    continue
                permits.append(
                    self._licence(out, next_ids, sequences, plan, case, holder_id, holder, registration)
                )
            if app.bundle_id in self.integrated_bundles and len(permits) >= 2 and all(permits):
                self._integrated(out, next_ids, sequences, app, permits, holder_id, holder)

    def _found(self, out, next_ids, plan: ItemPlan, case: dict) -> tuple[int, tuple[str, str, str], dict]:
        """The enterprise (or 个体工商户) an approved registration founds, with a valid credit code
        of its own, and the registration data its business licence shows."""
        rng = self.rng
        individual = plan.registration == Registration.INDIVIDUAL
        while True:
            code = idcodes.uscc_from_serial(
                rng.randrange(1, 31**6), region6=self.county.code[:6], category="2" if individual else "1"
            )
            if code not in self.founded_codes:
                break
        self.founded_codes.add(code)
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        word = rng.choice(COMPANY_WORDS)
        if individual:
            name = f"常德市武陵区{word}{rng.choice(SHOP_KINDS)}"
        else:
            trade, form = rng.choice(COMPANY_TRADES), rng.choice(COMPANY_FORMS)
            name = f"常德市{word}{rng.choice(COMPANY_WORDS)}{trade}{form}"
        address = f"湖南省常德市武陵区{rng.choice(STREETS)}{rng.randrange(1, 400)}号"
        pk = next_ids[Applicant]
        next_ids[Applicant] += 1
        out[Applicant].append(
            {
                "id": pk,
                "kind": ApplicantKind.ENTITY,
                "name": name,
                "id_number": code,
                "legal_representative": person,
                "phone": f"137{rng.randrange(0, 10**8):08d}",
                "address": address,
                "region_id": self.county.pk,
                "created_at": case["decided_at"],
            }
        )
        self.summary.enterprises += 1
        established = case["decided_at"].astimezone(self.tz).date()
        registration = {
            "类型": "个体工商户" if individual else "有限责任公司（自然人投资或控股）",
            "住所": address,
            "经营范围": rng.choice(BUSINESS_SCOPES),
            ("经营者" if individual else "法定代表人"): person,
            "成立日期": f"{established.year}年{established.month}月{established.day}日",
        }
        if not individual:
            registration["注册资本"] = f"{rng.choice([10, 30, 50, 100, 200, 500])}万元人民币"
        return pk, (name, ApplicantKind.ENTITY, code), registration

    def _number(self, licence_type: LicenceType, region6: str, on: dt.date, sequences) -> str:
        key = (licence_type.name, region6, on.year)
        found = self.stems.get(key)
        if found is None:
            found = self.stems[key] = licence_number_stem(licence_type=licence_type, region6=region6, on=on)
        stem, parts = found
        sequences[f"licence:{stem}"] += 1
        return licence_type.number_format.format(seq=sequences[f"licence:{stem}"], **parts)

    def _licence(self, out, next_ids, sequences, plan, case, holder_id, holder, registration) -> Issued:
        """The licence of one approved case, issued at its decision, and the case's 制证 event."""
        licence_type = self.licence_types[plan.licence_type]
        _issuer, region6 = self.departments[case["department_id"]]
        issued_at = case["decided_at"]
        valid_from = issued_at.astimezone(self.tz).date()
        number = self._number(licence_type, region6, valid_from, sequences)
        expires_on = validity_end(licence_type, valid_from)
        data = {"事项": plan.name, "办件编号": case["number"]}
        if licence_type.is_master:
            data.update(registration or self._registration_sample())
        else:
            data.update(self._public_sample(licence_type, registration.get("住所")))
        pk = self._licence_row(
            out,
            next_ids,
            licence_type=licence_type,
            number=number,
            holder_id=holder_id,
            holder=holder,
            department_id=case["department_id"],
            issued_at=issued_at,
            valid_from=valid_from,
            expires_on=expires_on,
            data=data,
            case_no=case["number"],
            case_id=case["id"],
            parent_id=None if licence_type.is_master else self.masters.get(holder_id),
        )
        if licence_type.is_master:
            self.masters[holder_id] = pk
        case["licence_number"] = number
        if case["status"] == CaseStatus.APPROVED:  # decided, not delivered yet: the licence is made
            case["status"] = CaseStatus.ISSUED
            self.summary.states[CaseStatus.APPROVED] -= 1
            self.summary.states[CaseStatus.ISSUED] += 1
        self._event(
            out,
            next_ids,
            case["application_id"],
            case["id"],
            "issue",
            issued_at,
            None,
            CaseStatus.APPROVED,
            CaseStatus.ISSUED,
            data={"licence": number},
        )
        return Issued(pk, licence_type, number, issued_at, valid_from, expires_on, data)

    def _registration_sample(self) -> dict[str, str]:
        """What a business licence re-issued to an existing enterprise (变更登记) shows."""
        rng = self.rng
        return {
            "类型": "有限责任公司（自然人投资或控股）",
            "住所": f"湖南省常德市武陵区{rng.choice(STREETS)}{rng.randrange(1, 400)}号",
            "经营范围": rng.choice(BUSINESS_SCOPES),
        }

    def _public_sample(self, licence_type: LicenceType, address: str | None) -> dict[str, str]:
        """Plausible contents of a licence type's public fields (addresses, scopes, plates)."""
        rng, data = self.rng, {}
        for name in licence_type.public_fields:
            if name in SAMPLE_DATA:
                data[name] = SAMPLE_DATA[name]
            elif name == "车牌号":
                data[name] = f"湘J{rng.choice('ABCDEFGH')}{rng.randrange(10000, 99999)}"
            else:  # 经营场所, 生产地址, 单位地址, 坐落 …
                address = address or f"湖南省常德市武陵区{rng.choice(STREETS)}{rng.randrange(1, 400)}号"
                data[name] = address
        return data

    def _integrated(self, out, next_ids, sequences, app, permits: list[Issued], holder_id, holder) -> None:
        """A 一业一证 application's integrated licence (行业综合许可证), issued with its last permit
        and valid until the first of them expires (as ``licence_issue_integrated`` does)."""
        licence_type = self.licence_types.get(integrated_type_name(self.integrated_bundles[app.bundle_id]))
        if licence_type is None:
            return
        _issuer, region6 = self.departments[licence_type.department_id]
        issued_at = max(p.issued_at for p in permits)
        valid_from = issued_at.astimezone(self.tz).date()
        ends = [p.expires_on for p in permits if p.expires_on is not None]
        entries = [
            permit_entry(
                type_name=p.licence_type.name,
                number=p.number,
                scope=permit_scope(
                    type_name=p.licence_type.name, public_fields=p.licence_type.public_fields, data=p.data
                ),
                valid_from=p.valid_from,
                expires_on=p.expires_on,
            )
            for p in permits
        ]
        pk = self._licence_row(
            out,
            next_ids,
            licence_type=licence_type,
            number=self._number(licence_type, region6, valid_from, sequences),
            holder_id=holder_id,
            holder=holder,
            department_id=licence_type.department_id,
            issued_at=issued_at,
            valid_from=valid_from,
            expires_on=min(ends) if ends else None,
            data={"事项": self.integrated_bundles[app.bundle_id]},
            case_no=app.number,
            case_id=None,
            parent_id=self.masters.get(holder_id),
            permits=entries,
        )
        for position, permit in enumerate(permits, start=1):
            out[IntegratedPermit].append(
                {
                    "id": next_ids[IntegratedPermit],
                    "integrated_id": pk,
                    "permit_id": permit.pk,
                    "position": position,
                }
            )
            next_ids[IntegratedPermit] += 1
        self.summary.integrated += 1

    def _licence_row(
        self,
        out,
        next_ids,
        *,
        licence_type: LicenceType,
        number: str,
        holder_id: int,
        holder: tuple[str, str, str],
        department_id: int,
        issued_at: dt.datetime,
        valid_from: dt.date,
        expires_on: dt.date | None,
        data: dict[str, str],
        case_no: str,
        case_id: int | None,
        parent_id: int | None,
        permits: list[dict] | None = None,
    ) -> int:
        """One signed licence row and its events: issued, and expired if its last day has passed
        (what the expiry timer would have done)."""
        name, kind, id_number = holder
        payload = payload_build(
            number=number,
            type_name=licence_type.name,
            public_fields=licence_type.public_fields,
            holder_name=name,
            holder_kind=kind,
            holder_id_number=id_number,
            issuer=self.departments[department_id][0],
            valid_from=valid_from,
            expires_on=expires_on,
            data=data,
            permits=permits,
        )
        message = signing.canonical_bytes(payload)
        text = message.decode("utf-8")
        expired = expires_on is not None and expires_on < self.today
        pk = next_ids[Licence]
        next_ids[Licence] += 1
        out[Licence].append(
            {
                "id": pk,
                "number": number,
                "licence_type_id": licence_type.pk,
                "holder_id": holder_id,
                "holder_name": name,
                "holder_id_number": id_number,
                "department_id": department_id,
                "issued_at": issued_at,
                "valid_from": valid_from,
                "expires_on": expires_on,
                "data": data,
                "status": LicenceStatus.EXPIRED if expired else LicenceStatus.VALID,
                "status_reason": f"有效期至 {expires_on}" if expired else "",
                "source_case_no": case_no,
                "source_case_id": case_id,
                "parent_id": parent_id,
                "payload": text,  # the canonical JSON itself: encoded once, for the signature and the row
                "signature_algorithm": self.key.algorithm.value,
                "signature_key_id": self.key.key_id,
                "payload_hash": hashlib.sha256(message).hexdigest(),  # = signing.payload_hash(payload)
                "signature": signing.b64url_encode(self.sign(message)),
            }
        )
        events = [(LicenceAction.ISSUE, "", LicenceStatus.VALID, f"办件 {case_no}", issued_at)]
        if expired:
            lapsed = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time(0, 5), tzinfo=self.tz)
            events.append(
                (
                    LicenceAction.EXPIRE,
                    LicenceStatus.VALID,
                    LicenceStatus.EXPIRED,
                    f"有效期至 {expires_on}",
                    lapsed,
                )
            )
        for action, old, new, reason, at in events:
            out[LicenceEvent].append(
                {
                    "id": next_ids[LicenceEvent],
                    "licence_id": pk,
                    "action": action,
                    "from_status": old,
                    "to_status": new,
                    "reason": reason,
                    "actor_id": None,
                    "created_at": at,
                }
            )
            next_ids[LicenceEvent] += 1
        self.summary.licences += 1
        return pk
