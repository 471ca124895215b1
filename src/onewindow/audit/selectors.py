"""Reading the audit log, and checking its hash chains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet

from onewindow.audit import anchoring
from onewindow.audit.hashing import event_hash, utc_text
from onewindow.audit.models import GENESIS_HASH, AuditChain, AuditCheckpoint, AuditEvent
from onewindow.core.timeutil import now


@dataclass(frozen=True)
class ChainProblem:
    """One break found by ``audit_verify``: which row (or gap) and what is wrong."""

    chain: int
    seq: int
    event_id: int | None
    message: str

    def __str__(self) -> str:
        row = f"row id={self.event_id}" if self.event_id is not None else "missing row"
        return f"chain {self.chain} seq {self.seq} ({row}): {self.message}"


@dataclass(frozen=True)
class CheckpointProblem:
    """A checkpoint that does not hold, or a rollback it reveals (see ``audit.anchoring``)."""

    message: str

    def __str__(self) -> str:
        return f"checkpoint: {self.message}"


@dataclass(frozen=True)
class VerifyReport:
    events: int
    chains: int
    problems: list[ChainProblem | CheckpointProblem]
    heads: dict[int, str]
    checkpoints: int = field(default=0)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_events_for(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    """Events about one object, newest first."""
    return AuditEvent.objects.filter(object_type=target_type, object_id=target_id)


def _verify_chain(chain: int, head: AuditChain | None) -> Iterator[ChainProblem | int]:
    expected_seq, prev_hash = 1, GENESIS_HASH
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        if row.seq != expected_seq:
            yield ChainProblem(chain, expected_seq, None, f"rows {expected_seq}–{row.seq - 1} were deleted")
            prev_hash = row.prev_hash  # resynchronise so one gap is reported once
        elif row.prev_hash != prev_hash:
            yield ChainProblem(chain, row.seq, row.pk, "link to the previous row is broken")
        recomputed = event_hash(
            chain=row.chain,
            seq=row.seq,
            created_at=row.created_at,
            actor_id=row.actor_id,
            actor_label=row.actor_label,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            object_repr=row.object_repr,
            before=row.before,
            after=row.after,
            request_id=row.request_id,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            yield ChainProblem(chain, row.seq, row.pk, "content was changed after it was recorded")
        yield 1
        expected_seq, prev_hash = row.seq + 1, row.hash
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield ChainProblem(chain, last_seq, None, "chain head row is missing")
    elif head.last_seq != last_seq or head.last_hash != prev_hash:
        yield ChainProblem(
            chain,
            head.last_seq,
            None,
            f"chain head says {head.last_seq} rows but the log ends at {last_seq}: rows were deleted",
        )


def audit_verify(*, checkpoint: dict[str, Any] | None = None) -> VerifyReport:
    """Walk every chain and report each edited, deleted or re-linked row; then check the stored
    checkpoints and, when given, an exported ``checkpoint`` kept outside the database.

    A row whose stored hash does not match its content was edited; a gap in sequence numbers,
    or a head that points past the last row, means rows were deleted. A checkpoint whose rows are
    gone or different means the newest rows were deleted and the head rolled back (or the chain
    rewritten) after it was signed.
    """
    heads = {head.pk: head for head in AuditChain.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    problems: list[ChainProblem | CheckpointProblem] = []
    events = 0
    for chain in sorted(chains):
        for item in _verify_chain(chain, heads.get(chain)):
            if isinstance(item, ChainProblem):
                problems.append(item)
            else:
                events += item
    stored, stored_problems = _verify_stored_checkpoints(heads)
    problems.extend(stored_problems)
    if checkpoint is not None:
        problems.extend(_verify_exported_checkpoint(checkpoint, heads))
    return VerifyReport(
        events=events,
        chains=len(chains),
        problems=problems,
        heads={pk: head.last_hash for pk, head in heads.items()},
        checkpoints=stored,
    )


# ---- checkpoints -----------------------------------------------------------------------------------


def checkpoint_key_dir() -> Path:
    """Where the audit's own signing key lives: ``<ONEWINDOW_KEY_DIR>/audit`` (never the database)."""
    return Path(settings.ONEWINDOW_KEY_DIR) / "audit"


def checkpoint_interval() -> dt.timedelta | None:
    """How often the worker signs the heads (``ONEWINDOW_AUDIT_CHECKPOINT_MINUTES``, default 60;
    0 turns the periodic checkpoint off, ``onewindow audit checkpoint`` still works)."""
    minutes = float(getattr(settings, "ONEWINDOW_AUDIT_CHECKPOINT_MINUTES", 60))
    return dt.timedelta(minutes=minutes) if minutes > 0 else None


def current_heads() -> anchoring.Heads:
    """Every chain's head as a checkpoint records it (one query, one consistent snapshot)."""
    return {str(h.pk): {"seq": h.last_seq, "hash": h.last_hash} for h in AuditChain.objects.order_by("pk")}


def audit_checkpoint_latest() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-id").first()


def audit_checkpoint_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog: when the next checkpoint fell due — the interval after the newest
    checkpoint (or after the first event) if the log grew since — or None if none is due."""
    interval = checkpoint_interval()
    if interval is None:
        return None
    last = audit_checkpoint_latest()
    if last is None:
        first = AuditEvent.objects.order_by("created_at").values_list("created_at", flat=True).first()
        due = first + interval if first is not None else None
    else:
        due = last.created_at + interval if last.heads != current_heads() else None
    return due if due is not None and due <= now() else None


def audit_checkpoints_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``: 1 when a checkpoint is due."""
    return 1 if audit_checkpoint_oldest_due() is not None else 0


def _signed_part(data: dict[str, Any]) -> dict[str, Any]:
    return anchoring.payload(created_at=data["created_at"], heads=data["heads"], prev=data["prev"])


def _when(data: dict[str, Any]) -> str:
    return f"{data.get('created_at', '?')} ({str(data.get('digest', ''))[:12]})"


def _rollbacks(data: dict[str, Any], heads: dict[int, AuditChain]) -> list[CheckpointProblem]:
    """Each chain whose rows recorded in the checkpoint are gone or different now."""
    problems = []
    when = _when(data)
    last_rows = dict(AuditEvent.objects.values("chain").annotate(m=Max("seq")).values_list("chain", "m"))
    for key, head in sorted(data["heads"].items(), key=lambda kv: int(kv[0])):
        chain, seq, digest = int(key), int(head["seq"]), str(head["hash"])
        if seq == 0:
            continue
        row = AuditEvent.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        now_head = heads[chain].last_seq if chain in heads else 0
        if row is None:
            ends = last_rows.get(chain) or 0
            if ends < seq:
                rolled = f"; its head was set back to {now_head}" if now_head < seq else ""
                problems.append(
                    CheckpointProblem(
                        f"chain {chain} rolled back: the checkpoint of {when} recorded {seq} rows, "
                        f"the log now ends at {ends}: rows {ends + 1}–{seq} were deleted{rolled}"
                    )
                )
            else:
                problems.append(
                    CheckpointProblem(f"chain {chain} seq {seq}: row recorded in {when} is missing")
                )
        elif row != digest:
            problems.append(
                CheckpointProblem(
                    f"chain {chain} seq {seq}: row differs from the checkpoint of {when}: "
                    "the chain was rewritten"
                )
            )
        elif now_head < seq:
            problems.append(
                CheckpointProblem(
                    f"chain {chain} head rolled back from {seq} (checkpoint of {when}) to {now_head}"
                )
            )
    return problems


def _verify_stored_checkpoints(heads: dict[int, AuditChain]) -> tuple[int, list[CheckpointProblem]]:
    """The stored checkpoints link up and are signed; the newest still matches the log."""
    problems: list[CheckpointProblem] = []
    prev, count, newest = GENESIS_HASH, 0, None
    for row in AuditCheckpoint.objects.order_by("id").iterator(chunk_size=500):
        count += 1
        data = {
            "created_at": utc_text(row.created_at),
            "heads": row.heads,
            "prev": row.prev,
            "digest": row.digest,
        }
        signed = _signed_part(data)
        if row.prev != prev:
            problems.append(
                CheckpointProblem(f"#{row.pk} does not follow the one before: checkpoints were deleted")
            )
        if anchoring.digest(signed) != row.digest or not anchoring.signature_ok(
            signed, public_key=row.public_key, signature=row.signature
        ):
            problems.append(CheckpointProblem(f"#{row.pk} was changed after it was signed"))
        prev, newest = row.digest, data
    if newest is not None:
        problems.extend(_rollbacks(newest, heads))
    return count, problems


def _verify_exported_checkpoint(
    data: dict[str, Any], heads: dict[int, AuditChain]
) -> list[CheckpointProblem]:
    """An exported checkpoint (``checkpoint_export``) against the log and the checkpoint table."""
    try:
        if data.get("format") != anchoring.FORMAT:
            raise ValueError(f"format is not {anchoring.FORMAT}")
        signed = _signed_part(data)
        for key, head in data["heads"].items():
            int(key), int(head["seq"]), str(head["hash"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [CheckpointProblem(f"the checkpoint file is not a OneWindow audit checkpoint: {exc}")]
    if anchoring.digest(signed) != data.get("digest"):
        return [CheckpointProblem("the checkpoint file was changed: its digest does not match")]
    if not anchoring.signature_ok(
        signed, public_key=str(data.get("public_key", "")), signature=str(data.get("signature", ""))
    ):
        return [CheckpointProblem("the checkpoint file's signature is not valid")]
    problems = []
    local = anchoring.local_public_key(checkpoint_key_dir())
    if local is not None and local[0] != data.get("key_id"):
        problems.append(
            CheckpointProblem(
                f"the checkpoint file was signed by key {data.get('key_id')}, this installation's "
                f"audit key is {local[0]}"
            )
        )
    if not AuditCheckpoint.objects.filter(digest=data["digest"]).exists():
        problems.append(
            CheckpointProblem(
                f"the checkpoint of {_when(data)} is missing from the checkpoint table: deleted"
            )
        )
    problems.extend(_rollbacks(data, heads))
    return problems
