"""The data simulator: consistent, valid and deterministic for a seed."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.selectors import audit_verify
from onewindow.bench.simulate import simulate
from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseEvent,
    CaseStatus,
    CorrectionNotice,
    Suspension,
)
from onewindow.org import idcodes
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db
YEARS = [2024, 2025]


def digest() -> str:
    rows = Case.objects.order_by("number").values_list("number", "status", "promised_due_at", "decided_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def wipe() -> None:
    for model in (CaseEvent, ApplicationMaterial, CorrectionNotice, Suspension, Case, Application, Applicant):
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


def test_the_same_seed_gives_the_same_data(hall):
    simulate(cases=120, years=YEARS, seed=5, progress=lambda line: None)
    first = digest()
    wipe()
    simulate(cases=120, years=YEARS, seed=5, progress=lambda line: None)
    assert digest() == first


def test_simulating_into_a_database_with_cases_is_refused(hall):
    simulate(cases=20, years=YEARS, seed=1, progress=lambda line: None)
    with pytest.raises(CommandError, match="已有办件"):
        call_command("simulate", "--cases", "20", "--years", "2025", "--quiet")


def test_a_year_without_holiday_data_is_refused(hall):
    with pytest.raises(CommandError, match="2031"):
        call_command("simulate", "--cases", "20", "--years", "2031", "--quiet")
