"""Signed checkpoints of the chain heads detect what the hash chains cannot: the newest rows deleted
and a chain head rolled back to the last remaining row (issue 17)."""

import datetime as dt
import json
import stat

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow.audit import anchoring
from onewindow.audit.models import AppendOnlyError, AuditChain, AuditCheckpoint, AuditEvent
from onewindow.audit.selectors import audit_verify, checkpoint_key_dir, current_heads
from onewindow.audit.services import audit_checkpoint_create, audit_record, checkpoint_export
from onewindow.core.timers import fire_all_due

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"


@pytest.fixture
def users():
    model = get_user_model()
    return [model.objects.create_user(username=f"u{i}", password="x") for i in range(6)]


def record(users, rounds=3):
    """Events about several users, so that they spread over several chains."""
    return [
        audit_record(actor=None, action="test.touch", target=user, after={"round": n})
        for n in range(rounds)
        for user in users
    ]


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def roll_back_newest(chain: int, keep: int) -> None:
    """What an intruder with database access does: delete a chain's newest rows and set its head
    back to the last row kept, so that the chain alone still verifies."""
    events, chains = AuditEvent._meta.db_table, AuditChain._meta.db_table
    last = AuditEvent.objects.get(chain=chain, seq=keep)
    raw(f"DELETE FROM {events} WHERE chain = %s AND seq > %s", [chain, keep])  # noqa: S608
    raw(f"UPDATE {chains} SET last_seq = %s, last_hash = %s WHERE id = %s", [keep, last.hash, chain])  # noqa: S608


def busiest_chain() -> tuple[int, int]:
    head = AuditChain.objects.order_by("-last_seq").first()
    return head.pk, head.last_seq


def export(tmp_path, name="checkpoint.json"):
    path = tmp_path / name
    call_command("audit", "checkpoint", "--export", str(path))
    return path


def test_a_checkpoint_signs_every_chain_head_with_the_audits_own_key(users):
    record(users)
    checkpoint = audit_checkpoint_create()
    assert checkpoint.heads == current_heads() and len(checkpoint.heads) > 1
    data = checkpoint_export(checkpoint)
    signed = anchoring.payload(created_at=data["created_at"], heads=data["heads"], prev=data["prev"])
    assert anchoring.signature_ok(signed, public_key=data["public_key"], signature=data["signature"])
    key_file = checkpoint_key_dir() / anchoring.PRIVATE_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (checkpoint_key_dir() / anchoring.PUBLIC_FILE).exists()


def test_checkpoints_form_a_chain_and_an_unchanged_log_needs_none(users):
    record(users)
    first = audit_checkpoint_create()
    assert audit_checkpoint_create(only_if_changed=True) is None
    audit_record(actor=None, action="test.more")
    second = audit_checkpoint_create(only_if_changed=True)
    assert first.prev == "0" * 64 and second.prev == first.digest


def test_checkpoints_cannot_be_changed_or_deleted_through_the_orm(users):
    record(users)
    checkpoint = audit_checkpoint_create()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(prev="x")
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()


def test_an_untouched_log_verifies_against_its_exported_checkpoint(users, tmp_path, capsys):
    record(users)
    path = export(tmp_path)
    record(users, rounds=1)  # the log goes on growing after the export
    call_command("audit", "verify", "--checkpoint", str(path))
    assert "audit log OK" in capsys.readouterr().out


def test_a_rollback_is_invisible_to_the_chains_alone(users):
    record(users)
    chain, last = busiest_chain()
    roll_back_newest(chain, keep=last - 2)
    assert audit_verify().ok  # why checkpoints exist


def test_an_exported_checkpoint_detects_deleted_rows_and_a_rolled_back_head(users, tmp_path, capsys):
    record(users)
    chain, last = busiest_chain()
    path = export(tmp_path)
    roll_back_newest(chain, keep=last - 2)
    # The intruder also empties the checkpoint table; the exported file was kept elsewhere.
    raw(f"DELETE FROM {AuditCheckpoint._meta.db_table}", [])  # noqa: S608
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command("audit", "verify", "--checkpoint", str(path))
    err = capsys.readouterr().err
    assert f"chain {chain} rolled back" in err
    assert f"rows {last - 1}–{last} were deleted" in err and f"head was set back to {last - 2}" in err
    assert "missing from the checkpoint table" in err


def test_the_stored_checkpoint_detects_a_rollback_too(users):
    record(users)
    chain, last = busiest_chain()
    audit_checkpoint_create()
    roll_back_newest(chain, keep=last - 1)
    report = audit_verify()
    assert not report.ok
    assert any(f"chain {chain} rolled back" in str(p) for p in report.problems)


def test_a_chain_rewritten_after_the_checkpoint_is_detected(users, tmp_path, capsys):
    record(users)
    chain, last = busiest_chain()
    path = export(tmp_path)
    roll_back_newest(chain, keep=last - 1)
    victim = AuditEvent.objects.filter(chain=chain).order_by("seq").first()
    user = get_user_model().objects.get(pk=int(victim.object_id))
    audit_record(actor=None, action="test.forged", target=user)  # re-fills seq `last` with another row
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--checkpoint", str(path))
    assert f"chain {chain} seq {last}: row differs" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda d: d["heads"].update({"0": {"seq": 1, "hash": "0" * 64}}), "digest does not match"),
        (lambda d: d.update(signature=d["signature"][::-1]), "signature is not valid"),
        (lambda d: d.update(format="something else"), "not a OneWindow audit checkpoint"),
        (lambda d: d.pop("heads"), "not a OneWindow audit checkpoint"),
    ],
    ids=["heads-edited", "signature-garbled", "wrong-format", "no-heads"],
)
def test_a_forged_or_broken_checkpoint_file_is_refused(users, tmp_path, capsys, tamper, message):
    record(users)
    path = export(tmp_path)
    data = json.loads(path.read_text())
    tamper(data)
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--checkpoint", str(path))
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("content", ["not json", "[1, 2]", "[" * 100_000])
def test_a_file_that_is_no_checkpoint_is_a_clear_error(db, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match="not a JSON checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(path))


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path / "nope.json"))


def test_the_worker_signs_the_heads_once_an_interval_after_the_log_grew(users, settings):
    settings.ONEWINDOW_AUDIT_CHECKPOINT_MINUTES = 60
    with time_machine.travel(MORNING, tick=False):
        record(users)
    with time_machine.travel(MORNING + dt.timedelta(minutes=59), tick=False):
        assert not any(f.source == "audit" for f in fire_all_due())
    with time_machine.travel(MORNING + dt.timedelta(minutes=61), tick=False):
        assert [f.source for f in fire_all_due() if f.source == "audit"] == ["audit"]
        assert not any(f.source == "audit" for f in fire_all_due())  # nothing new to sign
    assert AuditCheckpoint.objects.count() == 1


def test_the_checkpoint_command_has_a_dry_run(users, capsys):
    record(users)
    call_command("audit", "checkpoint", "--dry-run")
    assert "dry run, nothing saved" in capsys.readouterr().out
    assert not AuditCheckpoint.objects.exists()
