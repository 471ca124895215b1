"""行政许可法 第三十二条: five working days after receipt without a correction notice, the application
*is* accepted as of its receipt — computed by every action, whether or not the timer has fired.

Received Mon 2025-03-03 10:00: the window's last day is Mon 2025-03-10 (five working days, the
receipt day not counted); from 2025-03-11 00:00 the application counts as accepted.
"""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import ApplicationStatus, Timer, TimerKind
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import draft, enterprise, provide_all

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
ITEM = "430702-SCJG-0002"  # 食品生产许可: 8 working days promised, 20 statutory
RECEIVED = dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ)
LAST_DAY = dt.datetime(2025, 3, 10, 17, 0, tzinfo=TZ)
DAY_AFTER = dt.datetime(2025, 3, 11, 9, 0, tzinfo=TZ)


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def submitted(officer):
    """A complete application handed in at RECEIVED; nobody runs the worker in these tests."""
    with at(RECEIVED):
        application = draft(officer, enterprise(), item=ITEM)
        provide_all(officer, application, skip=("food_production_layout",))
        return services.application_submit(actor=officer, application=application)


def test_the_deemed_acceptance_moment_is_the_midnight_after_the_fifth_working_day_art32(submitted):
    assert services.application_deemed_acceptance_at(submitted) == dt.datetime(2025, 3, 11, 0, 0, tzinfo=TZ)
    timer = Timer.objects.get(kind=TimerKind.DEEMED_ACCEPTANCE, target_id=submitted.pk)
    assert timer.due_at == services.application_deemed_acceptance_at(submitted)


@pytest.mark.parametrize("moment", [dt.datetime(2025, 3, 7, 11, 0, tzinfo=TZ), LAST_DAY])
def test_a_correction_notice_is_possible_until_the_window_closes_art32(submitted, officer, moment):
    with at(moment):
        notice = services.application_request_correction(actor=officer, application=submitted)
    assert notice.items
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.CORRECTION_REQUESTED


def test_a_correction_notice_is_refused_the_day_after_even_if_the_timer_has_not_fired_art32(
    submitted, officer
):
    assert not Timer.objects.filter(fired_at__isnull=False).exists()
    with at(DAY_AFTER), pytest.raises(GuardFailed, match="第三十二条") as refused:
        services.application_request_correction(actor=officer, application=submitted)
    assert "2025年03月10日" in str(refused.value)  # the window's last day is named
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not submitted.corrections.exists()


def test_a_refusal_is_allowed_on_the_last_day_and_refused_the_day_after_art32(submitted, officer):
    with at(DAY_AFTER), pytest.raises(GuardFailed, match="不予受理"):
        services.application_refuse(actor=officer, application=submitted, reason="不属于本机关职权")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    with at(LAST_DAY):
        refused = services.application_refuse(actor=officer, application=submitted, reason="不属于本机关职权")
    assert refused.status == ApplicationStatus.REFUSED


def test_a_manual_acceptance_after_the_window_is_dated_to_the_receipt_and_counted_from_there_art32(
    submitted, officer
):
    with at(DAY_AFTER):
        accepted = services.application_accept(actor=officer, application=submitted)
    assert accepted.deemed_accepted
    assert accepted.accepted_at == RECEIVED
    assert accepted.number.startswith("43070220250303")  # numbered on the day of receipt
    case = accepted.cases.get()
    assert case.accepted_at == case.clock_started_at == RECEIVED
    # 8 working days from Mon 03-03: due at the end of Thu 03-13, not counted from 03-11.
    assert case.promised_due_at == dt.datetime(2025, 3, 14, 0, 0, tzinfo=TZ)
    assert accepted.events.filter(action="accept", data__deemed=True).exists()


def test_a_manual_acceptance_on_the_last_day_is_an_ordinary_acceptance_art32(submitted, officer):
    with at(LAST_DAY), pytest.raises(GuardFailed, match="尚未提交"):
        services.application_accept(actor=officer, application=submitted)  # a material is missing
    with at(LAST_DAY):
        services.application_mark_material(
            actor=officer, application=submitted, material_key="food_production_layout", state="provided"
        )
        accepted = services.application_accept(actor=officer, application=submitted)
    assert not accepted.deemed_accepted
    assert accepted.accepted_at == LAST_DAY


def test_the_timer_after_a_late_manual_acceptance_changes_nothing_art32(submitted, officer):
    with at(DAY_AFTER):
        services.application_accept(actor=officer, application=submitted)
        fired = services.timers_fire_due()
    assert all("skipped" in result or "recorded" in result for _pk, result in fired)
    submitted.refresh_from_db()
    assert submitted.cases.count() == 1


def test_a_resubmission_opens_a_new_window_from_the_new_receipt_art32(submitted, officer):
    with at(LAST_DAY):
        services.application_request_correction(actor=officer, application=submitted)
    resubmitted_at = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)
    with at(resubmitted_at):
        application = submitted.__class__.objects.get(pk=submitted.pk)
        services.application_mark_material(
            actor=officer, application=application, material_key="food_production_layout", state="provided"
        )
        application = services.application_resubmit(actor=officer, application=application)
    assert services.application_deemed_acceptance_at(application) == dt.datetime(2025, 3, 20, 0, 0, tzinfo=TZ)
