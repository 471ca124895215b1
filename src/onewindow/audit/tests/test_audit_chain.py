import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow.audit.models import AppendOnlyError, AuditEvent
from onewindow.audit.selectors import audit_verify
from onewindow.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user(username="alice", password="x")


def record_many(actor, n=12):
    return [audit_record(actor=actor, action="test.touch", after={"n": i, "名称": "测试"}) for i in range(n)]


def test_each_event_links_to_the_previous_one_in_its_chain(alice):
    first, second = record_many(alice, 2)
    assert first.chain == second.chain  # no target: one chain
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash


def test_an_untouched_log_verifies(alice):
    record_many(alice)
    report = audit_verify()
    assert report.ok
    assert report.events == 12


def test_events_record_actor_and_a_json_safe_summary(alice):
    import datetime as dt
    from decimal import Decimal

    event = audit_record(
        actor=alice, action="test.values", after={"d": dt.date(2025, 1, 24), "fee": Decimal("1.50")}
    )
    event.refresh_from_db()
    assert event.actor_label == "alice"
    assert event.after == {"d": "2025-01-24", "fee": "1.50"}
    assert audit_verify().ok


def test_system_events_have_no_actor():
    event = audit_record(actor=None, action="timer.fire")
    assert event.actor_id is None and event.actor_label == "system"


def test_a_row_changed_by_hand_is_named_by_verify(alice):
    events = record_many(alice)
    victim = events[5]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",  # noqa: S608
            ["test.forged", victim.pk],
        )
    report = audit_verify()
    assert not report.ok
    assert [p.event_id for p in report.problems] == [victim.pk]
    assert "changed" in report.problems[0].message


def test_the_verify_command_fails_and_names_the_changed_row(alice, capsys):
    events = record_many(alice)
    victim = events[3]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE id = %s",  # noqa: S608
            ['{"n": 999}', victim.pk],
        )
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command("audit", "verify")
    assert f"row id={victim.pk}" in capsys.readouterr().err


def test_a_row_deleted_from_the_middle_is_reported_as_a_gap(alice):
    events = record_many(alice)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[4].pk])  # noqa: S608
    report = audit_verify()
    assert len(report.problems) == 1
    assert report.problems[0].seq == events[4].seq
    assert "deleted" in report.problems[0].message


def test_the_last_row_deleted_is_caught_by_the_chain_head(alice):
    events = record_many(alice)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])  # noqa: S608
    report = audit_verify()
    assert not report.ok
    assert "deleted" in report.problems[0].message


def test_the_verify_command_succeeds_on_an_intact_log(alice, capsys):
    record_many(alice, 3)
    call_command("audit", "verify")
    assert "audit log OK: 3 events" in capsys.readouterr().out


def test_the_orm_cannot_update_or_delete_audit_rows(alice):
    event = audit_record(actor=alice, action="test.touch")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.action = "x"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_one_objects_events_stay_in_one_chain(alice, settings):
    settings.ONEWINDOW_AUDIT_CHAINS = 8
    chains = {audit_record(actor=alice, action="test.touch", target=alice).chain for _ in range(5)}
    assert len(chains) == 1


def test_an_empty_action_is_refused(alice):
    with pytest.raises(ValueError, match="empty"):
        audit_record(actor=alice, action="")
