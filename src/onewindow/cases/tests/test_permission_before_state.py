"""A user without the permission gets 403 whatever the object's state, never a 409 that tells the
state (issue 17: permission is checked before state)."""

import pytest

from onewindow.cases import services
from onewindow.cases.tests.factories import accepted, decide_through_review, department_staff, enterprise
from onewindow.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0006")
    decide_through_review(application.cases.get())
    return application


def test_a_reviewer_of_another_department_is_refused_before_the_state_is_looked_at(decided):
    case = decided.cases.get()
    outsider = department_staff("GA")
    for call in (
        lambda: services.case_start_review(actor=outsider, case=case),
        lambda: services.case_submit_for_decision(actor=outsider, case=case),
        lambda: services.case_decide(actor=outsider, case=case, approve=True, basis="x"),
        lambda: services.case_suspend(actor=outsider, case=case, reason="testing", expected_days=1),
        lambda: services.extension_request(actor=outsider, case=case, days=1, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_reviewer_cannot_act_on_an_application_whatever_its_state(decided):
    reviewer = department_staff("SCJG")
    for call in (
        lambda: services.application_request_correction(actor=reviewer, application=decided),
        lambda: services.application_refuse(actor=reviewer, application=decided, reason="x"),
        lambda: services.application_accept(actor=reviewer, application=decided),
    ):
        with pytest.raises(PermissionDenied):
            call()
