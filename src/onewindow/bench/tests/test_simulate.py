"""The data simulator: consistent, valid and deterministic for a seed."""

import hashlib
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.selectors import audit_verify
from onewindow.bench.simulate import RATED_SHARE, simulate
from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseEvent,
    CaseStatus,
    CorrectionNotice,
    Suspension,
)
from onewindow.complaints.models import Complaint, ComplaintClass, ComplaintEvent, ComplaintStatus
from onewindow.core.models import NumberSequence
from onewindow.licences.models import IntegratedPermit, Licence, LicenceEvent
from onewindow.org import idcodes
from onewindow.org.models import Applicant
from onewindow.ratings.models import BAD_LEVELS, Rating, Rectification, RectificationEvent

pytestmark = pytest.mark.django_db
YEARS = [2024, 2025]


def digest() -> str:
    rows = [
        list(
            Case.objects.order_by("number").values_list("number", "status", "promised_due_at", "decided_at")
        ),
        list(
            Rating.objects.order_by("case__number").values_list(
                "case__number", "level", "channel", "rated_at"
            )
        ),
        list(Rectification.objects.order_by("rating__case__number").values_list("state", "rectify_due_at")),
        list(
            Complaint.objects.order_by("number").values_list("number", "klass", "status", "due_at", "case_id")
        ),
        list(Licence.objects.order_by("number").values_list("number", "holder_id_number", "payload_hash")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def wipe() -> None:
    Licence.objects.update(parent=None)  # 一照多证 links between licences
    for model in (
        IntegratedPermit,
        LicenceEvent,
        Licence,
        RectificationEvent,
        Rectification,
        Rating,
        ComplaintEvent,
        Complaint,
        CaseEvent,
        ApplicationMaterial,
        CorrectionNotice,
        Suspension,
        Case,
        Application,
        Applicant,
        NumberSequence,
    ):
        model.objects.all().delete()


def test_simulated_cases_are_consistent_and_valid(hall):
    summary = simulate(cases=300, years=YEARS, seed=11, progress=lambda line: None)
    assert summary.cases == Case.objects.count() >= 300
    for applicant in Applicant.objects.all():
        check = idcodes.validate_uscc if applicant.kind == "entity" else idcodes.validate_resident_id
        assert check(applicant.id_number) == applicant.id_number
    for case in Case.objects.select_related("application"):
        assert case.number.startswith(case.application.number)
        assert case.promised_due_at is None or case.promised_due_at >= case.accepted_at
        if case.status == CaseStatus.CLOSED:
            assert case.accepted_at <= case.decided_at <= case.closed_at
    assert audit_verify().ok


def test_applications_are_written_in_time_order_like_a_real_hall(hall):
    simulate(cases=300, years=YEARS, seed=3, progress=lambda line: None)
    # the day an application came in is in its reference: S + county (6) + YYYYMMDD + sequence
    days = [ref[7:15] for ref in Application.objects.order_by("pk").values_list("draft_ref", flat=True)]
    assert days == sorted(days)
    assert len(set(days)) > 100  # spread over the years, not bunched


def test_ratings_and_complaints_are_plausible_and_consistent(hall):
    summary = simulate(cases=1500, years=YEARS, seed=3, progress=lambda line: None)
    closed = Case.objects.filter(status=CaseStatus.CLOSED).count()
    ratings = Rating.objects.select_related("case")
    assert summary.ratings == ratings.count()
    # A plausible share of finished cases is rated, once each, after it was closed.
    assert 0.5 * RATED_SHARE * closed <= ratings.count() <= closed
    levels = Counter(ratings.values_list("level", flat=True))
    assert levels[5] + levels[4] >= 0.85 * ratings.count()  # mostly 非常满意 / 满意
    assert set(levels) <= {1, 2, 3, 4, 5}
    for rating in ratings:
        assert rating.case.status == CaseStatus.CLOSED
        assert rating.case.closed_at <= rating.rated_at
        assert rating.department_id == rating.case.department_id
        assert rating.channel != "agent" or rating.consent
        assert not (rating.anonymous and rating.applicant_id)
    # Every bad rating, and only a bad one, has its rectification with an "open" event first.
    bad = ratings.filter(level__in=BAD_LEVELS)
    assert Rectification.objects.count() == bad.count() == summary.rectifications
    for rect in Rectification.objects.select_related("rating").prefetch_related("events"):
        assert rect.rating.level in BAD_LEVELS
        assert rect.contact_due_at < rect.rectify_due_at
        events = sorted(rect.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].action == "open" and events[-1].to_state == rect.state
    # Complaints: the four classes, each with its SLA deadline; numbers unique, one event log each.
    complaints = list(Complaint.objects.prefetch_related("events"))
    assert len(complaints) == summary.complaints >= 5
    assert {c.klass for c in complaints} <= set(ComplaintClass.values)
    assert len({c.klass for c in complaints}) >= 3
    for c in complaints:
        assert c.due_at is not None and c.due_at >= c.received_at
        assert c.anonymous == (c.contact_name == "" and c.contact_phone == "")
        assert c.number.startswith("TS")
        events = sorted(c.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].action == "receive" and events[-1].to_status == c.status
        if c.status == ComplaintStatus.CLOSED:
            assert c.replied_at is not None and c.closed_at >= c.replied_at
        if c.status == ComplaintStatus.RECEIVED:
            assert c.department_id is None
    assert audit_verify().ok


def test_the_same_seed_gives_the_same_data(hall):
    simulate(cases=400, years=YEARS, seed=5, progress=lambda line: None)
    first = digest()
    wipe()
    simulate(cases=400, years=YEARS, seed=5, progress=lambda line: None)
    assert Rating.objects.exists() and Complaint.objects.exists() and Licence.objects.exists()
    assert digest() == first


def test_simulating_into_a_database_with_cases_is_refused(hall):
    simulate(cases=20, years=YEARS, seed=1, progress=lambda line: None)
    with pytest.raises(CommandError, match="已有办件"):
        call_command("simulate", "--cases", "20", "--years", "2025", "--quiet")


def test_a_year_without_holiday_data_is_refused(hall):
    with pytest.raises(CommandError, match="2031"):
        call_command("simulate", "--cases", "20", "--years", "2031", "--quiet")


def test_more_cases_a_day_than_application_numbers_is_refused_before_loading(hall):
    # 2025 has 250 working days; an application number has a four-digit daily sequence.
    with pytest.raises(CommandError, match="--years") as refused:
        call_command("simulate", "--cases", "3000000", "--years", "2025", "--quiet")
    assert "每日" in str(refused.value)
    assert not Case.objects.exists()


def test_a_top_up_continues_the_numbering(hall):
    simulate(cases=60, years=YEARS, seed=1, progress=lambda line: None)
    simulate(cases=60, years=YEARS, seed=2, progress=lambda line: None, top_up=True)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) >= 120
    refs = list(Application.objects.values_list("draft_ref", flat=True))
    assert len(refs) == len(set(refs))


def test_a_large_load_on_postgresql_rebuilds_the_indexes_it_dropped(hall):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("index deferral is for PostgreSQL")

    def indexes() -> list[str]:
        with connection.cursor() as cursor:
            # Names and tables: the rebuilt definitions are the same, though deparsed differently.
            cursor.execute(
                "SELECT tablename, indexname FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
            return [f"{table}.{name}" for table, name in cursor.fetchall()]

    before = indexes(), foreign_keys()
    seen: list[str] = []
    simulate(cases=80, years=YEARS, seed=4, progress=seen.append, defer_indexes=True)
    assert any(line.startswith("building ") for line in seen)
    assert any(line.startswith("checking ") for line in seen)
    assert (indexes(), foreign_keys()) == before
    assert Case.objects.count() >= 80


def foreign_keys() -> list[tuple[str, str, str, bool]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_row_without_its_parent_fails_the_load_when_the_keys_come_back(hall):
    from django.db import IntegrityError, connection, transaction

    from onewindow.core.bulk import add_foreign_keys, drop_foreign_keys

    if connection.vendor != "postgresql":
        pytest.skip("foreign keys are dropped for a load on PostgreSQL only")
    simulate(cases=5, years=YEARS, seed=4, progress=lambda line: None)
    before = foreign_keys()
    case = Case.objects.first().pk
    with transaction.atomic():
        keys = drop_foreign_keys([Case])
        assert keys and all("FOREIGN KEY" in key for key in keys)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_case SET application_id = -1 WHERE id = %s", [case])
        with pytest.raises(IntegrityError, match="cases_case"):
            add_foreign_keys(keys)
        transaction.set_rollback(True)
    assert foreign_keys() == before


def test_a_load_marks_the_statistics_for_a_rebuild(hall):
    from onewindow.stats.models import RollupState
    from onewindow.stats.periods import Period
    from onewindow.stats.rollup import refresh
    from onewindow.stats.selectors import StatsFilter, indicators

    simulate(cases=30, years=YEARS, seed=1, progress=lambda line: None)
    assert refresh().full
    simulate(cases=30, years=YEARS, seed=2, progress=lambda line: None, top_up=True)
    assert RollupState.objects.get().watermark is None  # the next refresh rebuilds
    assert refresh().full
    year = indicators(StatsFilter(Period(Period.year(YEARS[0]).start, Period.year(YEARS[-1]).end)))
    assert year["cases_accepted"].value == Case.objects.count()
