import datetime as dt
import itertools
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import ConcurrentChange, InvalidInput, InvalidTransition
from onewindow.licences.models import Licence, LicenceAction, LicenceStatus
from onewindow.licences.services import (
    LICENCE,
    licence_cancel,
    licence_resume,
    licence_revoke,
    licence_supersede,
    licence_suspend,
    licence_transition,
    licences_expire_due,
    licences_remind_expiring,
)

from .conftest import issue

pytestmark = pytest.mark.django_db

STATUS_CHANGES = [a for a in LicenceAction if a not in (LicenceAction.ISSUE, LicenceAction.REMIND)]


def successor_of(licence: Licence) -> Licence:
    """A new licence of the same type and holder, as 换发 issues it."""
    return issue(licence.licence_type.name, licence.holder)


def put_in(licence: Licence, status: LicenceStatus) -> Licence:
    """Reach ``status`` through the services only."""
    if status == LicenceStatus.SUPERSEDED:
        return licence_supersede(licence=licence, by=successor_of(licence), actor=None, reason="变更登记")
    if status == LicenceStatus.CANCELLED:
        return licence_cancel(licence=licence, actor=None, reason="注销登记")
    if status == LicenceStatus.SUSPENDED:
        return licence_suspend(licence=licence, actor=None, reason="整改")
    if status == LicenceStatus.REVOKED:
        return licence_revoke(licence=licence, actor=None, reason="核查不实")
    if status == LicenceStatus.EXPIRED:
        Licence.objects.filter(pk=licence.pk).update(
            expires_on=dt.date(2025, 3, 9), valid_from=dt.date(2020, 3, 10)
        )
        licences_expire_due()
        licence.refresh_from_db()
    return licence


@pytest.mark.parametrize(("status", "action"), list(itertools.product(LicenceStatus, STATUS_CHANGES)))
def test_every_status_and_action_pair_follows_the_transition_table(food_licence, status, action):
    licence = put_in(food_licence, status)
    assert licence.status == status
    if action == LicenceAction.EXPIRE:
        Licence.objects.filter(pk=licence.pk).update(
            expires_on=dt.date(2025, 3, 9), valid_from=dt.date(2020, 3, 10)
        )
        licence.refresh_from_db()
    by = successor_of(licence) if action == LicenceAction.SUPERSEDE else None
    rule = LICENCE.table.get((status, action))
    target = rule.target if rule else None
    if target is None:
        with pytest.raises(InvalidTransition):
            licence_transition(licence=licence, action=action, actor=None, reason="原因", by=by)
    else:
        moved = licence_transition(licence=licence, action=action, actor=None, reason="原因", by=by)
        assert moved.status == target


def test_revocation_needs_a_reason(food_licence):
    with pytest.raises(InvalidInput):
        licence_revoke(licence=food_licence, actor=None, reason="  ")


def test_revocation_records_an_event_and_an_audit_entry_with_the_reason(food_licence, persona):
    leader = persona("scjg_leader")
    licence_revoke(licence=food_licence, actor=leader, reason="告知承诺核查不实")
    event = food_licence.events.last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "revoke",
        "valid",
        "revoked",
        leader,
    )
    audit = AuditEvent.objects.get(action="licence.revoke")
    assert audit.after == {"status": "revoked", "reason": "告知承诺核查不实"} and audit.actor_id == leader.pk


def test_a_suspended_licence_can_be_resumed_but_a_revoked_one_cannot(food_licence):
    licence_suspend(licence=food_licence, actor=None, reason="限期整改")
    assert licence_resume(licence=food_licence, actor=None).status == LicenceStatus.VALID
    licence_revoke(licence=food_licence, actor=None, reason="整改不到位")
    with pytest.raises(InvalidTransition, match="已吊销的证照不能恢复"):
        licence_resume(licence=food_licence, actor=None)


def test_a_licence_in_its_validity_period_cannot_be_expired(food_licence):
    with pytest.raises(InvalidTransition):
        licence_transition(licence=food_licence, action=LicenceAction.EXPIRE, actor=None)


def test_a_stale_copy_cannot_change_a_licence_someone_else_changed(food_licence):
    stale = Licence.objects.get(pk=food_licence.pk)
    licence_revoke(licence=food_licence, actor=None, reason="吊销")
    with pytest.raises(ConcurrentChange):
        licence_suspend(licence=stale, actor=None, reason="整改")  # the stale copy still says valid


def test_expiry_moves_licences_past_their_last_day_once(food_licence, business_licence, frozen):
    assert licences_expire_due(on=dt.date(2030, 3, 9)) == 0  # the last valid day
    assert licences_expire_due(on=dt.date(2030, 3, 10)) == 1
    assert licences_expire_due(on=dt.date(2030, 3, 10)) == 0  # idempotent
    food_licence.refresh_from_db()
    business_licence.refresh_from_db()
    assert (food_licence.status, business_licence.status) == ("expired", "valid")  # permanent stays valid


def test_a_licence_is_reminded_once_within_thirty_days_of_expiry(food_licence):
    assert licences_remind_expiring(on=dt.date(2030, 2, 1)) == 0
    assert licences_remind_expiring(on=dt.date(2030, 2, 10)) == 1
    assert licences_remind_expiring(on=dt.date(2030, 2, 11)) == 0


def test_the_expire_command_prints_a_summary_and_dry_run_saves_nothing(food_licence):
    out = StringIO()
    call_command("licence", "expire", "--date", "2030-03-10", "--dry-run", stdout=out)
    assert "dry run, nothing saved: 1 licences expired" in out.getvalue()
    assert Licence.objects.get(pk=food_licence.pk).status == "valid"
    call_command("licence", "expire", "--date", "2030-03-10", stdout=StringIO())
    assert Licence.objects.get(pk=food_licence.pk).status == "expired"


def test_the_keygen_command_creates_a_key_pair(settings, tmp_path, db):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "k"
    out = StringIO()
    call_command("licence", "keygen", "--algorithm", "sm2", stdout=out)
    key_id = re.search(r"key (\w+)", out.getvalue()).group(1)
    assert (Path(settings.ONEWINDOW_KEY_DIR) / f"{key_id}.private").stat().st_mode & 0o777 == 0o600


def test_status_is_assigned_only_in_the_licences_services():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path)
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "services.py"
        and re.search(r"licence\w*\.status\s*=[^=]", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
