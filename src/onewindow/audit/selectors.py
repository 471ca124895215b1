"""Reading the audit log, and checking its hash chains."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.audit.hashing import event_hash
from onewindow.audit.models import GENESIS_HASH, AuditChain, AuditEvent


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
class VerifyReport:
    events: int
    chains: int
    problems: list[ChainProblem]
    heads: dict[int, str]

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


def audit_verify() -> VerifyReport:
    """Walk every chain and report each edited, deleted or re-linked row.

    A row whose stored hash does not match its content was edited; a gap in sequence numbers,
    or a head that points past the last row, means rows were deleted.
    """
    heads = {head.pk: head for head in AuditChain.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    problems: list[ChainProblem] = []
    events = 0
    for chain in sorted(chains):
        for item in _verify_chain(chain, heads.get(chain)):
            if isinstance(item, ChainProblem):
                problems.append(item)
            else:
                events += item
    return VerifyReport(
        events=events,
        chains=len(chains),
        problems=problems,
        heads={pk: head.last_hash for pk, head in heads.items()},
    )
