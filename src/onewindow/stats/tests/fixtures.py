"""A small, hand-checkable month of work (March 2025) for the statistics tests.

The demo catalogue supplies the items (their limits are quoted next to each use); every other row
is written directly, so each figure the tests expect can be worked out from this file alone.
March 2025 has no public holiday: its working days are Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseStatus,
    Channel,
    CorrectionNotice,
    DeliveryMethod,
    Extension,
    ExtensionStatus,
    MaterialState,
    PostVerification,
    Suspension,
    SuspensionReason,
    VerificationStatus,
)
from onewindow.catalog.models import Material, ServiceItem
from onewindow.complaints.models import Complaint, ComplaintChannel, ComplaintClass, ComplaintStatus
from onewindow.org.models import Applicant, ApplicantKind, Region, RegionLevel
from onewindow.ratings.models import Rating, RatingChannel, Rectification, RectificationState

# Items of the demo catalogue used here, with their limits (working days):
PHARMACY = "430702-SCJG-0005"  # 药品经营许可（零售）: statutory 45, promised 12
ROAD = "430702-CG-0001"  # 临时占用城市道路许可: statutory 20, promised 2
SMALL_FOOD = "430702-SCJG-0004"  # 小餐饮经营许可: statutory 20, promised instant (即办)

# The moment the tests look from ("now").
AT = timezone.make_aware(dt.datetime(2025, 3, 31, 12, 0))


def local(day: str, time: str = "09:00") -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{time}"))


@dataclass
class Month:
    cases: dict[str, Case] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    county: Region | None = None
    town: Region | None = None


def build_march(*, at: dt.datetime = AT) -> Month:
    """Seven applications and six cases (see the table in ``test_indicators``)."""
    month = Month()
    county = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").first()
    town = (
        Region.objects.filter(level=RegionLevel.TOWN, code__startswith=county.prefix).order_by("code").first()
    )
    month.county, month.town = county, town
    person = Applicant.objects.create(
        kind=ApplicantKind.PERSON,
        name="测试申请人",
        id_number="11010519491231002X",
        phone="13800000000",
        region=county,
    )
    staff = get_user_model().objects.get(username="window1")
    versions = {
        code: ServiceItem.objects.get(code=code).current_version for code in (PHARMACY, ROAD, SMALL_FOOD)
    }
    materials = list(Material.objects.order_by("pk")[:2])
    seq = iter(range(1, 100))

    def application(
        key, item, channel, delivery, received, *, region=county, status=ApplicationStatus.ACCEPTED
    ):
        n = next(seq)
        app = Application.objects.create(
            number=f"T{received:%Y%m%d}{n:04d}",
            draft_ref=f"D-TEST-{n:04d}",
            applicant=person,
            channel=channel,
            item=versions[item].item,
            region=region,
            status=status,
            received_at=received,
            accepted_at=received if status == ApplicationStatus.ACCEPTED else None,
            delivery_method=delivery,
        )
        month.applications[key] = app
        return app

    def case(
        key, app, item, accepted, *, promised, legal, decided=None, decision="approve", status=None, **kw
    ):
        version = versions[item]
        c = Case.objects.create(
            number=f"{app.number}-01",
            application=app,
            item_version=version,
            department=version.item.department,
            step_department=version.item.department,
            status=status or (CaseStatus.CLOSED if decided else CaseStatus.REVIEWING),
            accepted_at=accepted,
            promised_due_at=promised,
            legal_due_at=legal,
            decided_at=decided,
            decision=decision if decided else "",
            closed_at=decided,
            **kw,
        )
        month.cases[key] = c
        return c

    # 1: pharmacy at the window, pick-up at the window (2 visits); 3 WD (4, 5, 6 March); on time.
    a1 = application("a1", PHARMACY, Channel.WINDOW, DeliveryMethod.WINDOW, local("2025-03-03"))
    case(
        "c1",
        a1,
        PHARMACY,
        local("2025-03-03", "10:00"),
        promised=local("2025-03-20", "00:00"),
        legal=local("2025-05-08", "00:00"),
        decided=local("2025-03-06", "15:00"),
    )
    ApplicationMaterial.objects.create(application=a1, material=materials[0], state=MaterialState.SATISFIED)
    # 2: pharmacy online, e-licence (0 visits, fully online); 告知承诺 whose verification failed;
    #    3 WD (10, 11, 12 March); on time.
    a2 = application("a2", PHARMACY, Channel.ONLINE, DeliveryMethod.ELECTRONIC, local("2025-03-07"))
    c2 = case(
        "c2",
        a2,
        PHARMACY,
        local("2025-03-07"),
        promised=local("2025-03-26", "00:00"),
        legal=local("2025-05-13", "00:00"),
        decided=local("2025-03-12", "16:00"),
        commitment=True,
    )
    PostVerification.objects.create(
        case=c2,
        department=c2.department,
        due_at=local("2025-04-30"),
        status=VerificationStatus.FAILED,
        finished_at=local("2025-03-28"),
    )
    # 3: road permit online, by mail (0 visits); 容缺 material; 4 WD (11–14 March) against 2 promised:
    #    late (due at the end of 12 March); within the statutory 20.
    a3 = application("a3", ROAD, Channel.ONLINE, DeliveryMethod.MAIL, local("2025-03-10"))
    case(
        "c3",
        a3,
        ROAD,
        local("2025-03-10"),
        promised=local("2025-03-13", "00:00"),
        legal=local("2025-04-08", "00:00"),
        decided=local("2025-03-14", "10:00"),
    )
    ApplicationMaterial.objects.create(
        application=a3,
        material=materials[0],
        state=MaterialState.PROVIDED,
        waivable=True,
        supply_due_at=local("2025-03-17"),
        supplied_at=local("2025-03-12"),
    )
    # 4: small catering at a town station, pick-up at the window; instant, no promised deadline;
    #    denied the same day (0 WD).
    a4 = application(
        "a4", SMALL_FOOD, Channel.STATION, DeliveryMethod.WINDOW, local("2025-03-17"), region=town
    )
    case(
        "c4",
        a4,
        SMALL_FOOD,
        local("2025-03-17"),
        promised=None,
        legal=local("2025-04-15", "00:00"),
        decided=local("2025-03-17", "09:30"),
        decision="deny",
        status=CaseStatus.DENIED,
    )
    # 5: road permit at the window, corrected once, still under review and overdue since 24 March;
    #    suspended for a day and extended, both in March.
    a5 = application("a5", ROAD, Channel.WINDOW, DeliveryMethod.MAIL, local("2025-03-19"))
    CorrectionNotice.objects.create(
        application=a5, items=[], issued_at=local("2025-03-19", "10:00"), issued_by=staff
    )
    c5 = case(
        "c5",
        a5,
        ROAD,
        local("2025-03-20"),
        promised=local("2025-03-24", "00:00"),
        legal=local("2025-04-18", "00:00"),
    )
    Suspension.objects.create(
        case=c5,
        reason=SuspensionReason.TESTING,
        started_at=local("2025-03-21"),
        ended_at=local("2025-03-21", "17:00"),
    )
    Extension.objects.create(
        case=c5,
        days=5,
        reason="现场核查需要",
        status=ExtensionStatus.APPROVED,
        requested_by=staff,
        requested_at=local("2025-03-21"),
        decided_by=staff,
        decided_at=local("2025-03-21", "11:00"),
    )
    # 6: pharmacy received and accepted in February, decided on 5 March: 9 WD (21, 24–28 Feb,
    #    3–5 March); on time against 12.
    a6 = application("a6", PHARMACY, Channel.WINDOW, DeliveryMethod.MAIL, local("2025-02-20"))
    case(
        "c6",
        a6,
        PHARMACY,
        local("2025-02-20"),
        promised=local("2025-03-11", "00:00"),
        legal=local("2025-04-25", "00:00"),
        decided=local("2025-03-05", "11:00"),
    )
    # 7: refused at the window in March (no case); results would have been mailed (1 visit).
    application(
        "a7", ROAD, Channel.WINDOW, DeliveryMethod.MAIL, local("2025-03-25"), status=ApplicationStatus.REFUSED
    )

    # Ratings: case 1 非常满意, case 3 非常不满意 (rectification open), case 6 a default rating.
    for key, level, rated in (("c1", 5, "2025-03-07"), ("c3", 1, "2025-03-15")):
        c = month.cases[key]
        rating = Rating.objects.create(
            case=c,
            level=level,
            channel=RatingChannel.ONLINE,
            department=c.department,
            finished_at=c.decided_at,
            rated_at=local(rated),
        )
        if level == 1:
            Rectification.objects.create(
                rating=rating,
                department=c.department,
                state=RectificationState.OPEN,
                contact_due_at=local("2025-03-17"),
                rectify_due_at=local("2025-03-24"),
                created_at=local("2025-03-15"),
            )
    c6 = month.cases["c6"]
    Rating.objects.create(
        case=c6,
        level=5,
        channel=RatingChannel.PAD,
        department=c6.department,
        finished_at=c6.decided_at,
        rated_at=local("2025-03-10"),
        is_default=True,
    )

    # Complaints: a consultation answered in time, a complaint unanswered past its deadline, a
    # suggestion not yet due.
    for n, (klass, received, due, replied) in enumerate(
        (
            (ComplaintClass.CONSULTATION, "2025-03-03", "2025-03-04", "2025-03-03"),
            (ComplaintClass.COMPLAINT, "2025-03-10", "2025-03-17", None),
            (ComplaintClass.SUGGESTION, "2025-03-28", "2025-05-10", None),
        ),
        start=1,
    ):
        Complaint.objects.create(
            number=f"TS{n:04d}",
            klass=klass,
            channel=ComplaintChannel.HALL,
            subject="测试",
            text="测试诉求",
            region=county,
            status=ComplaintStatus.REPLIED if replied else ComplaintStatus.ASSIGNED,
            received_at=local(received),
            due_at=local(due),
            replied_at=local(replied, "15:00") if replied else None,
        )
    return month
