"""Every (state, action) pair outside the table is refused before anything is written."""

import itertools

import pytest

from onewindow.cases.models import Application, ApplicationStatus, Case, CaseStatus
from onewindow.cases.services.core import _move_application, _move_case
from onewindow.cases.transitions import APPLICATION_TRANSITIONS, CASE_TRANSITIONS
from onewindow.core.errors import InvalidTransition

CASE_ACTIONS = sorted({action for _state, action in CASE_TRANSITIONS})
APPLICATION_ACTIONS = sorted({action for _state, action in APPLICATION_TRANSITIONS})


@pytest.mark.parametrize(
    ("state", "action"),
    [pair for pair in itertools.product(CaseStatus.values, CASE_ACTIONS) if pair not in CASE_TRANSITIONS],
)
def test_a_case_action_outside_the_table_is_refused(state, action):
    with pytest.raises(InvalidTransition) as info:
        _move_case(Case(status=state), action, None, system=True)
    assert info.value.status == 409
    assert str(CaseStatus(state).label) in str(info.value)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        pair
        for pair in itertools.product(ApplicationStatus.values, APPLICATION_ACTIONS)
        if pair not in APPLICATION_TRANSITIONS
    ],
)
def test_an_application_action_outside_the_table_is_refused(state, action):
    with pytest.raises(InvalidTransition):
        _move_application(Application(status=state), action, None, system=True)


def test_every_state_but_the_final_ones_has_a_way_forward():
    final = {CaseStatus.CLOSED, CaseStatus.REVOKED}
    for state in set(CaseStatus.values) - final:
        assert any(s == state for s, _a in CASE_TRANSITIONS), state


def test_a_timer_only_action_cannot_be_taken_by_a_person():
    with pytest.raises(InvalidTransition, match="只能由系统"):
        _move_application(Application(status=ApplicationStatus.SUBMITTED), "deem_accept", None)
