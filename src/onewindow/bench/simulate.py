"""``onewindow simulate``: a realistic, internally consistent dataset for demos and benchmarks.

Applications and their cases follow the demo catalogue (items, bundles and their options,
statutory and promised limits), over several years of the real working calendar: acceptance
on working days inside office hours, deadlines computed by the clock, most cases closed within
their promised limit and a few late, recent ones still open in every state, corrections,
容缺/告知承诺/免提交 materials, suspensions; the e-licences of approved cases, signed with the
deployment's key and verifiable (every 营业执照 held by an enterprise with a valid credit code:
approving a 设立登记 founds it; a 一业一证 bundle's permits integrated into one licence); ratings
of finished cases (好差评: about two in three rated, mostly 非常满意/满意, late cases rated worse,
every bad rating with its rectification moved on as far as the time since allows) and complaints
(咨询/求助/投诉/建议 with their SLA deadlines, answered, re-assigned, referred or still open).
Applicants have valid GB 11643 identity numbers and GB 32100 credit codes. Deterministic for a
seed. Loaded with PostgreSQL COPY (batched INSERTs on SQLite): a million cases in minutes.

Simulated rows are written straight to the tables, not through the services, so they carry no
audit events of their own; one audit event records the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.bench.simdata import COMPANY_FORMS, COMPANY_TRADES, COMPANY_WORDS, GIVEN, SURNAMES
from onewindow.bench.simulate_licences import FOUNDING, LicencePass, PendingResults, applicant_kind
from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    CorrectionNotice,
    DeliveryMethod,
    MaterialState,
    Suspension,
)
from onewindow.catalog.models import Audience, Bundle, BundleKind, ServiceItem, StepKind
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import Duration, Unit, WorkCalendar, deadline
from onewindow.complaints.models import (
    Complaint,
    ComplaintChannel,
    ComplaintClass,
    ComplaintEvent,
    ComplaintStatus,
    FollowUp,
)
from onewindow.complaints.services import sla_for
from onewindow.core.bulk import (
    BulkWriter,
    add_foreign_keys,
    create_indexes,
    drop_foreign_keys,
    drop_secondary_indexes,
)
from onewindow.core.errors import DomainError
from onewindow.core.models import NumberSequence
from onewindow.licences.models import (
    IntegratedPermit,
    Licence,
    LicenceEvent,
    LicenceType,
)
from onewindow.org import idcodes
from onewindow.org.models import Applicant, ApplicantKind, Hall, Region, Staff
from onewindow.ratings import conf as ratings_conf
from onewindow.ratings.models import (
    BAD_LEVELS,
    Level,
    Rating,
    RatingChannel,
    Rectification,
    RectificationEvent,
    RectificationState,
)

# From this many cases on (PostgreSQL), the plain indexes are dropped for the load and rebuilt.
DEFER_INDEXES_FROM = 100_000
# 好差评: about two cases in three are rated; the published provincial figures are 99 %+ satisfied,
# so bad ratings are rare, and each one is followed up and rectified (国办发〔2019〕51号).
RATED_SHARE = 0.65
LEVELS = [
    (Level.VERY_SATISFIED, 800),
    (Level.SATISFIED, 150),
    (Level.BASICALLY_SATISFIED, 35),
    (Level.DISSATISFIED, 11),
    (Level.VERY_DISSATISFIED, 4),
]
RATING_CHANNELS = [
    (RatingChannel.PAD, 45),
    (RatingChannel.ONLINE, 25),
    (RatingChannel.SMS, 20),
    (RatingChannel.KIOSK, 5),
    (RatingChannel.AGENT, 5),
]
GOOD_TAGS = ["一次办好", "办事便捷", "服务热情", "材料精简", "办理高效"]
BAD_TAGS = ["多次跑腿", "材料繁琐", "超时办理", "态度不好", "推诿扯皮"]
GOOD_COMMENTS = ["", "", "", "办事效率高，态度好", "一次就办好了", "窗口人员很耐心"]
BAD_COMMENTS = ["材料要求说明不清楚，跑了两趟", "等待时间太长", "办理超过了承诺时间", "电话一直打不通"]
# 诉求 (咨询/求助/投诉/建议): about one per hundred applications, most by the 12345 hotline.
COMPLAINT_SHARE = 0.012
COMPLAINT_CLASSES = [
    (ComplaintClass.CONSULTATION, 45),
    (ComplaintClass.HELP, 15),
    (ComplaintClass.COMPLAINT, 25),
    (ComplaintClass.SUGGESTION, 15),
]
COMPLAINT_CHANNELS = [
    (ComplaintChannel.HOTLINE, 50),
    (ComplaintChannel.ONLINE, 30),
    (ComplaintChannel.HALL, 20),
]
COMPLAINT_SUBJECTS = {
    ComplaintClass.CONSULTATION: ["咨询营业执照办理所需材料", "咨询办理进度", "咨询网上申请流程"],
    ComplaintClass.HELP: ["网上申报系统无法上传材料", "申请老年人代办服务", "证照邮寄地址填写错误"],
    ComplaintClass.COMPLAINT: ["窗口工作人员态度生硬", "办理超过承诺时限", "要求提供已取消的证明材料"],
    ComplaintClass.SUGGESTION: ["建议增加周末延时服务", "建议大厅增设母婴室", "建议简化餐饮许可现场核查"],
}
CHANNELS = [
    (Channel.WINDOW, 45),
    (Channel.ONLINE, 40),
    (Channel.STATION, 10),
    (Channel.BANK, 3),
    (Channel.KIOSK, 2),
]


DAILY_NUMBERS = 9_999  # four-digit daily sequence of an application number
DAILY_NUMBERS_SAFE = 8_000


class SimulationError(DomainError):
    code, status, title = "simulation_refused", 409, "无法生成模拟数据"


@dataclass
class Summary:
    applications: int = 0
    cases: int = 0
    applicants: int = 0
    events: int = 0
    materials: int = 0
    corrections: int = 0
    suspensions: int = 0
    ratings: int = 0
    rectifications: int = 0
    complaints: int = 0
    licences: int = 0
    integrated: int = 0
    enterprises: int = 0
    states: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    complaint_states: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def __str__(self) -> str:
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.states.items()))
        return (
            f"{self.cases} cases in {self.applications} applications for {self.applicants} applicants; "
            f"{self.events} events, {self.materials} materials, {self.corrections} corrections, "
            f"{self.suspensions} suspensions, {self.ratings} ratings ({self.rectifications} bad, rectified), "
            f"{self.complaints} complaints, {self.licences} licences ({self.integrated} 一业一证) "
            f"for {self.enterprises} enterprises founded; states: {states}; {self.seconds:.1f}s"
        )


@dataclass(frozen=True)
class ItemPlan:
    item_id: int
    version_id: int
    department_id: int
    first_step: str
    materials: tuple[tuple[int, bool, bool, bool], ...]  # (material id, waivable, commitment, satisfiable)
    promised: Duration
    legal: Duration | None
    town: bool
    needs_inspection: bool
    name: str = ""
    audience: str = Audience.BOTH
    registration: str = ""
    licence_type: str = ""  # the result's licence type, if the library has it


_CUMULATIVE: dict[tuple, tuple[list, list]] = {}


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    # Population and cumulative weights computed once per distinct list of pairs (the same draw
    # as ``choices(weights=…)``, without rebuilding both lists a few million times).
    key = tuple(pairs)
    found = _CUMULATIVE.get(key)
    if found is None:
        found = _CUMULATIVE[key] = ([p for p, _w in pairs], list(itertools.accumulate(w for _p, w in pairs)))
    return rng.choices(found[0], cum_weights=found[1])[0]


def _working_days(cal: WorkCalendar, years: list[int]) -> list[dt.date]:
    days = []
    for year in years:
        day = dt.date(year, 1, 1)
        while day.year == year:
            if cal.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
    return days


class Simulator(LicencePass):
    def __init__(self, *, cases: int, years: list[int], seed: int, progress: Callable[[str], None]) -> None:
        if cases < 1:
            raise SimulationError("模拟办件数须为正整数")
        self.target = cases
        self.years = sorted(years)
        self.rng = random.Random(seed)  # noqa: S311 - simulated data, not secrets
        self.progress = progress
        self.cal = work_calendar()
        for year in self.years:
            if not self.cal.first_year <= year <= self.cal.last_year:
                raise SimulationError(
                    f"{year}年不在已载入节假日安排的年份（{self.cal.first_year}–{self.cal.last_year}）内"
                )
        self.summary = Summary()
        self.tz = timezone.get_default_timezone()
        self._due_cache: dict[tuple[dt.date, Duration], dt.datetime | None] = {}
        self._load_reference_data()

    # ---- reference data --------------------------------------------------------------------

    def _load_reference_data(self) -> None:
        items = ServiceItem.objects.filter(current_version__isnull=False).select_related("current_version")
        self.licence_types = {t.name: t for t in LicenceType.objects.filter(is_active=True)}
        self.items: dict[int, ItemPlan] = {}
        for item in items.prefetch_related(
            "current_version__requirements__material", "current_version__steps"
        ):
            version = item.current_version
            steps = [s for s in version.steps.all() if s.kind != StepKind.ACCEPT]
            self.items[item.pk] = ItemPlan(
                item_id=item.pk,
                version_id=version.pk,
                department_id=item.department_id,
                first_step=steps[0].kind if steps else StepKind.DECIDE,
                materials=tuple(
                    (r.material_id, r.waivable, r.commitment_allowed, bool(r.material.satisfied_by))
                    for r in version.requirements.all()
                ),
                promised=version.promised_limit,
                legal=version.legal_limit,
                town=item.tier_town,
                needs_inspection=version.needs_inspection,
                name=item.name,
                audience=item.audience,
                registration=version.registration,
                # a type the licence library does not have gives no licence
                licence_type=version.result_licence_type
                if version.result_licence_type in self.licence_types
                else "",
            )
        if not self.items:
            raise SimulationError("事项目录为空：请先运行 onewindow load-demo")
        self.options = [
            (bundle.pk, option.pk, [i.pk for i in option.items.all() if i.pk in self.items])
            for bundle in Bundle.objects.prefetch_related("options__items")
            for option in bundle.options.all()
        ]
        self.options = [o for o in self.options if o[2]]
        self.bundle_limits = {b.pk: b.promised_limit for b in Bundle.objects.all()}
        self.integrated_bundles = {
            b.pk: b.name for b in Bundle.objects.filter(kind=BundleKind.ONE_INDUSTRY_ONE_LICENCE)
        }
        self.county = Region.objects.filter(level="county").order_by("code").first()
        if self.county is None:
            raise SimulationError("没有县级区划：请先运行 onewindow load-demo")
        self.towns = list(Region.objects.filter(level="town", code__startswith=self.county.prefix))
        self.villages = list(Region.objects.filter(level="village", code__startswith=self.county.prefix))
        self.halls = {h.region_id: h for h in Hall.objects.all()}
        officers = list(
            Staff.objects.filter(roles__role="window_officer").values_list("user_id", flat=True).distinct()
        )
        self.officers = officers or [None]
        self.reviewers: dict[int, list[int]] = {}
        for department_id, user_id in Staff.objects.filter(
            roles__role__in=["reviewer", "leader"]
        ).values_list("roles__department_id", "user_id"):
            if department_id:
                self.reviewers.setdefault(department_id, []).append(user_id)
        self._load_licensing()
        self.complaint_sla = {k: sla_for(k) for k in ComplaintClass.values}
        self.complex_sla = sla_for(ComplaintClass.COMPLAINT, complex_matter=True)
        self.contact_limit = Duration(ratings_conf.contact_within_days(), Unit.WORKDAY)
        self.rectify_limit = Duration(ratings_conf.rectify_within_days(), Unit.WORKDAY)
        # The data is a snapshot taken now: nothing is accepted in the future, and cases whose
        # work would end after now are still open, in every state.
        self.end = timezone.now()
        self.today = self.end.astimezone(self.tz).date()
        self.days = [d for d in _working_days(self.cal, self.years) if d < timezone.localdate()]
        if not self.days:
            raise SimulationError("所选年份中没有早于今天的工作日")
        # An application number ends in a four-digit daily sequence per county (cases.services),
        # so one county takes at most 9,999 acceptances a day; a uniform spread must stay well
        # below that (room for the random peaks), or the run would fail half-way.
        per_day = self.target / len(self.days)
        if per_day > DAILY_NUMBERS_SAFE:
            raise SimulationError(
                f"{self.target:,}件分布在{len(self.days)}个工作日，平均每日约{per_day:,.0f}件，"
                f"超过一个县每日受理编号的容量（{DAILY_NUMBERS:,}个，安全上限{DAILY_NUMBERS_SAFE:,}）："
                f"请用 --years 分摊到更多年份（至少{-(-self.target // DAILY_NUMBERS_SAFE) // 250 + 1}年）"
            )

    # ---- pieces ----------------------------------------------------------------------------

    def _due(self, accepted_at: dt.datetime, limit: Duration | None) -> dt.datetime | None:
        if limit is None:
            return None
        day_unit = limit.unit in (Unit.WORKDAY, Unit.NATURAL_DAY, Unit.INSTANT)
        key = (accepted_at.date(), limit)
        if day_unit and key in self._due_cache:
            return self._due_cache[key]
        try:
            due = deadline(accepted_at, limit, self.cal)
        except ValueError:  # past the loaded years: leave open-ended, as the clock would flag it
            due = None
        if day_unit:
            self._due_cache[key] = due
        return due

    def _accepted_at(self) -> dt.datetime:
        # Days follow each other as the cases are made, as a real hall's tables fill: a month's
        # rows lie together on disk (drawn at random, they were scattered over the whole table,
        # and reading a month of 10 M cases cost a random read per row).
        made = self.summary.cases
        day = self.days[min(len(self.days) - 1, made * len(self.days) // self.target)]
        minute = self.rng.choice(
            [self.rng.randrange(0, 180), self.rng.randrange(270, 510)]
        )  # 9:00–12:00, 13:30–17:30
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=self.tz) + dt.timedelta(minutes=minute)

    def _applicants(self, count: int) -> list[tuple[int, str]]:
        writer = BulkWriter(Applicant)
        first = writer.next_id()
        seen = set(Applicant.objects.values_list("id_number", flat=True))
        rows, pool = [], []
        region6 = self.county.code[:6]
        while len(rows) < count:
            entity = self.rng.random() < 0.4
            if entity:
                number = idcodes.generate_uscc(self.rng, region6=region6)
                name = (
                    f"常德市{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_WORDS)}"
                    f"{self.rng.choice(COMPANY_TRADES)}{self.rng.choice(COMPANY_FORMS)}"
                )
            else:
                birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365 * 55))
                number = idcodes.generate_resident_id(self.rng, region6=region6, birth=birth)
                name = self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice([1, 2])))
            if number in seen:
                continue
            seen.add(number)
            pk = first + len(rows)
            rows.append(
                {
                    "id": pk,
                    "kind": ApplicantKind.ENTITY if entity else ApplicantKind.PERSON,
                    "name": name,
                    "id_number": number,
                    "legal_representative": (
                        self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN)
                        if entity
                        else ""
                    ),
                    "phone": f"139{self.rng.randrange(0, 10**8):08d}",
                    "region_id": self.county.pk,
                    "created_at": timezone.now(),
                }
            )
            pool.append((pk, ApplicantKind.ENTITY if entity else ApplicantKind.PERSON))
        writer.write(rows)
        writer.reset_sequence()
        self.summary.applicants = len(rows)
        # Enterprises founded by the simulated registrations get codes with the "MA" body of new
        # registrations (``idcodes.uscc_from_serial``); the few random ones like that are kept
        # apart so that no code is given twice.
        self.founded_codes = {c for c in seen if c[8:10] == idcodes.SERIAL_BODY_PREFIX}
        self.by_kind = {
            k: [entry for entry in pool if entry[1] == k]
            for k in (ApplicantKind.PERSON, ApplicantKind.ENTITY)
        }
        return pool

    # ---- the run ---------------------------------------------------------------------------

    def run(self, *, chunk: int = 20_000, top_up: bool = False, defer_indexes: bool | None = None) -> Summary:
        """Generate the cases. ``top_up`` adds them to a database that already has some (``onewindow
        bench`` growing its dataset): numbering continues after the existing sequences, and the data
        is deterministic for the seed and the starting database rather than for the seed alone."""
        started = time.perf_counter()
        if Case.objects.exists() and not top_up:
            raise SimulationError(
                "数据库中已有办件：模拟数据只能生成到没有办件的数据库中（确保同一种子结果相同）"
            )
        if connection.vendor == "postgresql":
            # Each chunk is its own transaction; a crash loses the run anyway, so there is no
            # point waiting for every commit's WAL flush (the session setting only).
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
        with transaction.atomic():
            pool = self._applicants(max(20, self.target // 4))
        writers = {
            m: BulkWriter(m)
            for m in (
                Applicant,  # the enterprises that approvals found
                Application,
                Case,
                CaseEvent,
                ApplicationMaterial,
                CorrectionNotice,
                Suspension,
                Rating,
                Rectification,
                RectificationEvent,
                Complaint,
                ComplaintEvent,
                Licence,
                LicenceEvent,
                IntegratedPermit,
            )
        }
        next_ids = {m: w.next_id() for m, w in writers.items()}
        # The application, draft, complaint and licence number counters (core.numbers).
        sequences: Counter = Counter(dict(NumberSequence.objects.values_list("scope", "last")))
        if defer_indexes is None:
            defer_indexes = connection.vendor == "postgresql" and self.target >= DEFER_INDEXES_FROM
        # A large load is one transaction without the plain indexes and the foreign keys, which
        # are built and checked again at the end; a failure rolls everything back, indexes and
        # keys included.
        with transaction.atomic() if defer_indexes else contextlib.nullcontext():
            dropped = drop_secondary_indexes(writers) if defer_indexes else []
            keys = drop_foreign_keys(writers) if defer_indexes else []
            made = 0
            while made < self.target:
                batch = self._batch(pool, next_ids, sequences, min(chunk, self.target - made))
                with transaction.atomic():
                    for model, rows in batch.items():
                        writers[model].write(rows)
                made += len(batch[Case])
                self.progress(f"cases {made:,}/{self.target:,} ({made * 100 // self.target}%)")
            if dropped:
                self.progress(f"building {len(dropped)} indexes …")
                create_indexes(dropped)
            if keys:
                self.progress(f"checking {len(keys)} foreign keys …")
                add_foreign_keys(keys)
        with transaction.atomic():
            for writer in writers.values():
                writer.reset_sequence()
            for scope, last in sequences.items():
                NumberSequence.objects.update_or_create(scope=scope, defaults={"last": last})
            self.summary.seconds = time.perf_counter() - started
            audit_record(actor=None, action="simulate.run", after={"summary": str(self.summary)})
        if connection.vendor == "postgresql":
            # The planner's statistics of the loaded tables now, not whenever autovacuum gets to
            # them: without them a freshly loaded table is read by sequential scans (the supervisor
            # dashboard on 100 k cases: 418 ms in-process before ANALYZE, 56 ms after).
            self.progress("analysing the loaded tables …")
            with connection.cursor() as cursor:
                for model in writers:
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        return self.summary

    def _batch(self, pool, next_ids, sequences, want: int) -> dict[type, list[dict]]:
        out: dict[type, list[dict]] = {m: [] for m in next_ids}
        while len(out[Case]) < want:
            for model, rows in self._application(pool, next_ids, sequences).items():
                out[model].extend(rows)
        self._results(out, next_ids, sequences)
        return out

    def _application(self, pool, next_ids, sequences) -> dict[type, list[dict]]:
        rng, s = self.rng, self.summary
        rows: dict[type, list[dict]] = {m: [] for m in next_ids}
        app_id = next_ids[Application]
        next_ids[Application] += 1
        bundle_id = option_id = None
        if self.options and rng.random() < 0.08:
            bundle_id, option_id, item_ids = rng.choice(self.options)
        else:
            item_ids = [rng.choice(list(self.items))]
        plans = [self.items[i] for i in item_ids]
        kind = applicant_kind(plans)
        applicant_id, _kind = rng.choice(self.by_kind.get(kind) or pool)
        channel = _weighted(rng, CHANNELS)
        region = self.county
        if channel == Channel.STATION and all(p.town for p in plans) and self.towns:
            region = rng.choice(self.towns + self.villages)
        accepted_at = self._accepted_at()
        received_at = accepted_at - dt.timedelta(minutes=rng.randrange(5, 40))
        day = accepted_at.astimezone(self.tz).date()
        county6 = self.county.code[:6]
        scope = f"draft:{county6}:{day:%Y%m%d}"
        sequences[scope] += 1
        draft_ref = f"S{county6}{day:%Y%m%d}{sequences[scope]:05d}"
        outcome = rng.random()
        status = ApplicationStatus.ACCEPTED
        if outcome < 0.015:
            status = ApplicationStatus.REFUSED
        elif outcome < 0.02:
            status = ApplicationStatus.WITHDRAWN
        number = None
        if status == ApplicationStatus.ACCEPTED:
            scope = f"app:{county6}:{day:%Y%m%d}"
            sequences[scope] += 1
            if sequences[scope] > DAILY_NUMBERS:
                raise SimulationError(
                    f"{day:%Y-%m-%d} 的受理编号已用完（每日{DAILY_NUMBERS:,}个）：请用 --years 分摊到更多年份"
                )
            number = f"{county6}{day:%Y%m%d}{sequences[scope]:04d}"
        officer = rng.choice(self.officers)
        joint = self._due(accepted_at, self.bundle_limits.get(bundle_id)) if bundle_id else None
        rows[Application].append(
            {
                "id": app_id,
                "number": number,
                "draft_ref": draft_ref,
                "applicant_id": applicant_id,
                "agent_id": officer if channel in (Channel.WINDOW, Channel.STATION) else None,
                "channel": channel,
                "item_id": None if bundle_id else item_ids[0],
                "bundle_id": bundle_id,
                "bundle_option_id": option_id,
                "region_id": region.pk,
                "hall_id": self.halls[region.pk].pk if region.pk in self.halls else None,
                "form_data": {},
                "status": status,
                "received_at": received_at,
                "accepted_at": accepted_at if number else None,
                "accepted_by_id": officer if number else None,
                "refusal_reason": "申请事项不属于本机关职权范围"
                if status == ApplicationStatus.REFUSED
                else "",
                "joint_due_at": joint,
                "delivery_method": _weighted(
                    rng,
                    [(DeliveryMethod.WINDOW, 50), (DeliveryMethod.MAIL, 20), (DeliveryMethod.ELECTRONIC, 30)],
                ),
                "created_at": received_at,
                "updated_at": accepted_at,
            }
        )
        s.applications += 1
        material_ids: dict[int, tuple[bool, bool, bool]] = {}
        for plan in plans:
            for mid, waivable, commitment, satisfiable in plan.materials:
                material_ids[mid] = (
                    waivable and material_ids.get(mid, (True,))[0],
                    commitment,
                    satisfiable,
                )
        waived = committed = False
        for mid, (waivable, commitment, satisfiable) in material_ids.items():
            r = rng.random()
            state = MaterialState.PROVIDED
            if waivable and r < 0.15:
                state, waived = MaterialState.WAIVED, True
            elif commitment and r < 0.3:
                state, committed = MaterialState.COMMITTED, True
            elif satisfiable and r < 0.6:
                state = MaterialState.SATISFIED
            rows[ApplicationMaterial].append(
                {
                    "id": next_ids[ApplicationMaterial],
                    "application_id": app_id,
                    "material_id": mid,
                    "required": True,
                    "waivable": waivable,
                    "commitment_allowed": commitment,
                    "state": state,
                    "sha256": hashlib.sha256(f"{app_id}:{mid}".encode()).hexdigest()
                    if state == MaterialState.PROVIDED
                    else "",
                    "size": rng.randrange(40_000, 4_000_000) if state == MaterialState.PROVIDED else None,
                    "content_type": "application/pdf" if state == MaterialState.PROVIDED else "",
                    "original_name": "材料.pdf" if state == MaterialState.PROVIDED else "",
                    "evidence": "电子证照库" if state == MaterialState.SATISFIED else "",
                    "supplied_at": accepted_at + dt.timedelta(days=rng.randrange(1, 6))
                    if state == MaterialState.WAIVED
                    else None,
                }
            )
            next_ids[ApplicationMaterial] += 1
            s.materials += 1
        if rng.random() < 0.04:
            rows[CorrectionNotice].append(
                {
                    "id": next_ids[CorrectionNotice],
                    "application_id": app_id,
                    "items": [{"material": "", "name": "申请书", "reason": "签字不全"}],
                    "issued_at": received_at - dt.timedelta(days=rng.randrange(2, 7)),
                    "issued_by_id": officer,
                    "resubmitted_at": received_at,
                }
            )
            next_ids[CorrectionNotice] += 1
            s.corrections += 1
        self._event(rows, next_ids, app_id, None, "accept" if number else status, accepted_at, officer)
        self._who = (applicant_id, officer)
        if number:
            made = []
            for index, plan in enumerate(plans, start=1):
                self._case(rows, next_ids, app_id, number, index, plan, accepted_at, waived, committed)
                made.append((plan, rows[Case][-1]))
            if self.key is not None and any(
                case["decision"] == "approve" and (plan.licence_type or plan.registration in FOUNDING)
                for plan, case in made
            ):
                self.pending.append(PendingResults(app_id, number, bundle_id, applicant_id, made))
        if rng.random() < COMPLAINT_SHARE:
            case_row = rows[Case][-1] if rows[Case] else None
            self._complaint(rows, next_ids, sequences, received_at, case_row, officer)
        return rows

    def _event(self, rows, next_ids, app_id, case_id, action, at, actor, old="", new="", data=None) -> None:
        rows[CaseEvent].append(
            {
                "id": next_ids[CaseEvent],
                "application_id": app_id,
                "case_id": case_id,
                "action": action,
                "from_status": old,
                "to_status": new,
                "actor_id": actor,
                "data": data or {},
                "at": at,
            }
        )
        next_ids[CaseEvent] += 1
        self.summary.events += 1

    def _case(self, rows, next_ids, app_id, number, index, plan, accepted_at, waived, committed) -> None:
        rng, s = self.rng, self.summary
        case_id = next_ids[Case]
        next_ids[Case] += 1
        promised = self._due(accepted_at, plan.promised)
        legal = self._due(accepted_at, plan.legal)
        reviewer = rng.choice(self.reviewers.get(plan.department_id) or [None])
        span = (promised or accepted_at + dt.timedelta(hours=1)) - accepted_at
        span = max(span, dt.timedelta(minutes=20))
        # Most cases finish well inside the promised limit; about 4 % run late, 0.5 % past the law.
        r = rng.random()
        share = rng.uniform(1.0, 1.8) if r < 0.04 else rng.betavariate(2.0, 3.0)
        decided_at = accepted_at + span * share
        if legal and r < 0.005:
            decided_at = legal + dt.timedelta(days=rng.randrange(1, 10))
        closed_at = decided_at + dt.timedelta(hours=rng.randrange(1, 48))
        approve = rng.random() > 0.03
        status, decision, resume = CaseStatus.CLOSED, "approve" if approve else "deny", ""
        if closed_at > self.end:  # still running at the end of the simulated period
            decision, decided_at, closed_at = "", None, None
            status = _weighted(
                rng,
                [
                    (CaseStatus.ACCEPTED, 25),
                    (CaseStatus.REVIEWING, 35),
                    (CaseStatus.DECIDING, 15),
                    (CaseStatus.SUSPENDED, 5),
                    (CaseStatus.APPROVED, 20),
                ]
                + ([(CaseStatus.INSPECTING, 15)] if plan.needs_inspection else []),
            )
            if status == CaseStatus.SUSPENDED:
                resume = CaseStatus.REVIEWING
            if status == CaseStatus.APPROVED:
                decision, decided_at = "approve", min(self.end, accepted_at + span * 0.5)
        rows[Case].append(
            {
                "id": case_id,
                "number": f"{number}-{index:02d}",
                "application_id": app_id,
                "item_version_id": plan.version_id,
                "department_id": plan.department_id,
                "current_step": StepKind.ISSUE if decision else plan.first_step,
                "step_department_id": plan.department_id,
                "status": status,
                "resume_status": resume,
                "deficient": waived and status not in (CaseStatus.CLOSED, CaseStatus.APPROVED),
                "commitment": committed,
                "accepted_at": accepted_at,
                "clock_started_at": accepted_at,
                "promised_due_at": None if status == CaseStatus.SUSPENDED else promised,
                "legal_due_at": legal,
                "decision": decision,
                "decision_basis": "符合法定条件"
                if decision == "approve"
                else ("不符合法定条件" if decision else ""),
                "decided_at": decided_at,
                "decided_by_id": reviewer if decision else None,
                "closed_at": closed_at,
                "updated_at": closed_at or decided_at or accepted_at,
            }
        )
        s.cases += 1
        s.states[status] += 1
        self._event(rows, next_ids, app_id, case_id, "open", accepted_at, None, "", CaseStatus.ACCEPTED)
        if status == CaseStatus.SUSPENDED or (status == CaseStatus.CLOSED and rng.random() < 0.02):
            started = accepted_at + span * 0.3
            ended = (
                None if status == CaseStatus.SUSPENDED else started + dt.timedelta(days=rng.randrange(1, 10))
            )
            rows[Suspension].append(
                {
                    "id": next_ids[Suspension],
                    "case_id": case_id,
                    "reason": "testing",
                    "started_at": started,
                    "ended_at": ended,
                }
            )
            next_ids[Suspension] += 1
            s.suspensions += 1
        if decision:
            self._event(
                rows,
                next_ids,
                app_id,
                case_id,
                decision,
                decided_at,
                reviewer,
                CaseStatus.DECIDING,
                CaseStatus.APPROVED if approve else CaseStatus.DENIED,
            )
        if closed_at:
            self._event(
                rows,
                next_ids,
                app_id,
                case_id,
                "close",
                closed_at,
                None,
                CaseStatus.DELIVERED,
                CaseStatus.CLOSED,
            )
            if rng.random() < RATED_SHARE:
                self._rating(rows, next_ids, rows[Case][-1], share > 1.0)

    # ---- ratings and complaints ----------------------------------------------------------------

    def _rating(self, rows, next_ids, case: dict, late: bool) -> None:
        """One rating of a closed case (一事一评); a bad one opens its rectification, which has
        moved on as far as the time since allows."""
        rng, s = self.rng, self.summary
        applicant_id, officer = self._who
        rated_at = case["closed_at"] + dt.timedelta(minutes=rng.randrange(5, 60 * 72))
        if rated_at > self.end:
            return
        # Late cases are rated worse: the first level weight moves to the bad ones.
        level = _weighted(rng, LEVELS if not late else [(lv, w if lv < 4 else w // 4) for lv, w in LEVELS])
        channel = _weighted(rng, RATING_CHANNELS)
        bad = level in BAD_LEVELS
        default = not bad and channel == RatingChannel.SMS and rng.random() < 0.25
        anonymous = not default and channel != RatingChannel.AGENT and rng.random() < 0.1
        rating_id = next_ids[Rating]
        next_ids[Rating] += 1
        rows[Rating].append(
            {
                "id": rating_id,
                "case_id": case["id"],
                "level": 4 if default else int(level),
                "comment": "" if default else rng.choice(BAD_COMMENTS if bad else GOOD_COMMENTS),
                "tags": [] if default else rng.sample(BAD_TAGS if bad else GOOD_TAGS, k=rng.randrange(0, 3)),
                "channel": channel,
                "anonymous": anonymous,
                "applicant_id": None if anonymous or default else applicant_id,
                "consent": channel == RatingChannel.AGENT,
                "recorded_by_id": officer if channel == RatingChannel.AGENT else None,
                "department_id": case["department_id"],
                "window_id": None,
                "accepted_by_id": officer,
                "decided_by_id": case["decided_by_id"],
                "is_default": default,
                "finished_at": case["decided_at"],
                "rated_at": rated_at,
            }
        )
        s.ratings += 1
        s.levels[4 if default else int(level)] += 1
        if not bad:
            return
        rect_id = next_ids[Rectification]
        next_ids[Rectification] += 1
        contact_due = self._due(rated_at, self.contact_limit)
        rectify_due = self._due(rated_at, self.rectify_limit)
        # How far it got by now: contacted a day or two after, rectified within the limit (a few
        # late), verified and published a few days later.
        steps = [
            ("contact", RectificationState.CONTACTED, rated_at + dt.timedelta(hours=rng.randrange(2, 40))),
        ]
        rectified = rated_at + dt.timedelta(days=rng.uniform(3, 24))
        steps.append(("rectify", RectificationState.RECTIFIED, rectified))
        steps.append(
            ("verify", RectificationState.VERIFIED, rectified + dt.timedelta(days=rng.uniform(1, 4)))
        )
        steps.append(
            ("publish", RectificationState.PUBLISHED, steps[-1][2] + dt.timedelta(days=rng.uniform(0, 3)))
        )
        done = [step for step in steps if step[2] <= self.end]
        state = done[-1][1] if done else RectificationState.OPEN
        at = dict((action, when) for action, _state, when in done)
        events = [("open", "", RectificationState.OPEN, rated_at)]
        previous = RectificationState.OPEN
        for action, target, when in done:
            events.append((action, previous, target, when))
            previous = target
        rows[Rectification].append(
            {
                "id": rect_id,
                "rating_id": rating_id,
                "department_id": case["department_id"],
                "state": state,
                "contact_due_at": contact_due,
                "rectify_due_at": rectify_due,
                "contact_note": "已电话回访申请人，说明情况并致歉" if "contact" in at else "",
                "contacted_at": at.get("contact"),
                "measures": "完善一次性告知清单，加强窗口人员培训" if "rectify" in at else "",
                "rectified_at": at.get("rectify"),
                "verified_at": at.get("verify"),
                "verified_by_id": None,
                "result": "已整改：一次性告知清单已更新并公开" if "publish" in at else "",
                "published_at": at.get("publish"),
                "contact_overdue_at": contact_due
                if contact_due and at.get("contact", self.end) > contact_due
                else None,
                "rectify_overdue_at": rectify_due
                if rectify_due and at.get("rectify", self.end) > rectify_due
                else None,
                "created_at": rated_at,
            }
        )
        for action, old, new, when in events:
            rows[RectificationEvent].append(
                {
                    "id": next_ids[RectificationEvent],
                    "rectification_id": rect_id,
                    "action": action,
                    "from_state": old,
                    "to_state": new,
                    "actor_id": None,
                    "at": when,
                }
            )
            next_ids[RectificationEvent] += 1
        s.rectifications += 1

    def _complaint(self, rows, next_ids, sequences, after: dt.datetime, case: dict | None, officer) -> None:
        """One matter (一问题一编号) received some days after an application, moved along its SLA as
        far as the time since allows: answered in time mostly, a few late, re-assigned or referred."""
        rng, s = self.rng, self.summary
        klass = _weighted(rng, COMPLAINT_CLASSES)
        channel = _weighted(rng, COMPLAINT_CHANNELS)
        received = after + dt.timedelta(days=rng.uniform(0, 40), minutes=rng.randrange(0, 600))
        if received > self.end:
            return
        complex_matter = klass in (ComplaintClass.COMPLAINT, ComplaintClass.HELP) and rng.random() < 0.05
        limit = self.complex_sla if complex_matter else self.complaint_sla[klass]
        due = self._due(received, limit)
        day = received.astimezone(self.tz).date()
        county6 = self.county.code[:6]
        scope = f"complaint:{county6}:{day:%Y%m%d}"
        sequences[scope] += 1
        complaint_id = next_ids[Complaint]
        next_ids[Complaint] += 1
        anonymous = rng.random() < 0.15
        departments = sorted({p.department_id for p in self.items.values()})
        department = (
            case["department_id"] if case is not None and rng.random() < 0.6 else rng.choice(departments)
        )
        span = (due - received) if due else dt.timedelta(hours=4)
        events = [("receive", "", ComplaintStatus.RECEIVED, received, None)]
        status, rounds, department_id = ComplaintStatus.RECEIVED, 0, None
        replied = closed = overdue = None
        follow = ""
        instant = klass == ComplaintClass.CONSULTATION and rng.random() < 0.7
        if instant:  # 当场答复
            replied = received + dt.timedelta(minutes=rng.randrange(3, 30))
            if replied <= self.end:
                events.append(("reply", ComplaintStatus.RECEIVED, ComplaintStatus.REPLIED, replied, None))
                status = ComplaintStatus.REPLIED
        else:
            assigned = received + dt.timedelta(minutes=rng.randrange(10, 240))
            if assigned <= self.end:
                events.append(
                    ("assign", ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, assigned, department)
                )
                status, rounds, department_id = ComplaintStatus.ASSIGNED, 1, department
                late = rng.random() < 0.05
                replied = assigned + span * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.95))
                if replied <= self.end:
                    events.append(("reply", ComplaintStatus.ASSIGNED, ComplaintStatus.REPLIED, replied, None))
                    status = ComplaintStatus.REPLIED
                else:
                    replied = None
                    if due and due <= self.end:
                        overdue = due
        if status == ComplaintStatus.REPLIED:
            visited = replied + dt.timedelta(days=rng.uniform(0.5, 3))
            if visited <= self.end:
                unsatisfied = rng.random() < 0.06
                follow = FollowUp.UNSATISFIED if unsatisfied else FollowUp.SATISFIED
                if not unsatisfied:
                    events.append(("satisfied", status, ComplaintStatus.CLOSED, visited, None))
                    status, closed = ComplaintStatus.CLOSED, visited
                elif rounds >= 1 and rng.random() < 0.3:  # 二次交办后仍不满意 → 转报纪委监委
                    events.append(("unsatisfied", status, ComplaintStatus.ASSIGNED, visited, department_id))
                    rounds += 1
                    again = visited + dt.timedelta(days=rng.uniform(2, 6))
                    if again <= self.end:
                        events.append(
                            ("reply", ComplaintStatus.ASSIGNED, ComplaintStatus.REPLIED, again, None)
                        )
                        events.append(
                            ("unsatisfied", ComplaintStatus.REPLIED, ComplaintStatus.REFERRED, again, None)
                        )
                        status, replied, follow = ComplaintStatus.REFERRED, again, FollowUp.UNSATISFIED
                    else:
                        status, replied, follow = ComplaintStatus.ASSIGNED, None, ""
                else:  # 不满意 but explained: closed with a note
                    events.append(("close", status, ComplaintStatus.CLOSED, visited, None))
                    status, closed = ComplaintStatus.CLOSED, visited
        rows[Complaint].append(
            {
                "id": complaint_id,
                "number": f"TS{county6}{day:%Y%m%d}{sequences[scope]:04d}",
                "klass": klass,
                "channel": channel,
                "complex": complex_matter,
                "subject": rng.choice(COMPLAINT_SUBJECTS[klass]),
                "text": "来电反映：" + rng.choice(COMPLAINT_SUBJECTS[klass]) + "，请相关部门核实处理。",
                "anonymous": anonymous,
                "contact_name": "" if anonymous else rng.choice(SURNAMES) + rng.choice(GIVEN),
                "contact_phone": "" if anonymous else f"138{rng.randrange(0, 10**8):08d}",
                "region_id": self.county.pk,
                "case_id": case["id"] if case is not None and klass == ComplaintClass.COMPLAINT else None,
                "staff_id": None,
                "department_id": department_id,
                "status": status,
                "round": rounds,
                "escalations": 1 if overdue else 0,
                "received_at": received,
                "due_at": due,
                "overdue_at": overdue,
                "reply": "已答复诉求人，说明办理依据和进度" if replied else "",
                "replied_at": replied,
                "follow_up": follow,
                "closed_at": closed,
                "hotline_ticket": f"12345-{day:%Y%m%d}-{complaint_id:08d}"
                if channel == ComplaintChannel.HOTLINE
                else None,
                "created_by_id": officer if channel == ComplaintChannel.HALL else None,
            }
        )
        for action, old, new, when, dept in events:
            rows[ComplaintEvent].append(
                {
                    "id": next_ids[ComplaintEvent],
                    "complaint_id": complaint_id,
                    "action": action,
                    "from_status": old,
                    "to_status": new,
                    "actor_id": None,
                    "department_id": dept,
                    "note": "",
                    "at": when,
                }
            )
            next_ids[ComplaintEvent] += 1
        s.complaints += 1
        s.complaint_states[status] += 1


def simulate(
    *,
    cases: int,
    years: list[int],
    seed: int,
    progress: Callable[[str], None] = print,
    top_up: bool = False,
    defer_indexes: bool | None = None,
) -> Summary:
    """Generate ``cases`` cases (and their applications, applicants, materials, events, ratings
    and complaints); ``top_up`` allows adding to a database that already has cases.

    Bulk-loaded rows carry their historical timestamps, so the statistics rollups are marked for
    a rebuild (``stats.rollup.invalidate``) rather than trusted to find them incrementally."""
    from onewindow.stats.rollup import invalidate

    summary = Simulator(cases=cases, years=years, seed=seed, progress=progress).run(
        top_up=top_up, defer_indexes=defer_indexes
    )
    invalidate()
    return summary
