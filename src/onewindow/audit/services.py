"""Writing the audit log. ``audit_record`` is the only way rows are created."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from onewindow.audit import anchoring
from onewindow.audit.hashing import event_hash, utc_text
from onewindow.audit.models import GENESIS_HASH, AuditChain, AuditCheckpoint, AuditEvent
from onewindow.audit.selectors import audit_checkpoint_oldest_due, checkpoint_key_dir, current_heads
from onewindow.core.requestcontext import request_id_var
from onewindow.core.timeutil import now

SYSTEM_LABEL = "system"
MAX_CHAINS = 64


def chain_count() -> int:
    """How many hash chains events are spread over (``ONEWINDOW_AUDIT_CHAINS``, 1–64)."""
    count = int(getattr(settings, "ONEWINDOW_AUDIT_CHAINS", 8))
    return max(1, min(MAX_CHAINS, count))


def _json_safe(value: Any) -> Any:
    """What the database will give back for ``value``: dates, decimals, UUIDs become strings."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _chain_for(object_type: str, object_id: str) -> int:
    # One object's events always land in one chain, so their order is the chain's order.
    return zlib.crc32(f"{object_type}:{object_id}".encode()) % chain_count()


def _locked_head(chain: int) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(pk=chain)
    except AuditChain.DoesNotExist:
        try:
            with transaction.atomic():
                AuditChain.objects.create(pk=chain, last_seq=0, last_hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first; fine
        return AuditChain.objects.select_for_update().get(pk=chain)


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str = "",
    request_id: str = "",
) -> AuditEvent:
    """Append one audit event, inside the caller's transaction.

    ``actor`` is a user or ``None`` for the system (timers, command line). ``action`` is a
    dotted name such as ``case.accept``. ``before``/``after`` are small summaries of what
    changed, not whole objects. The row joins a hash chain (see ``audit.models``).
    """
    if not action:
        raise ValueError("audit action must not be empty")
    object_type = target._meta.label_lower if target is not None else ""
    object_id = str(target.pk) if target is not None and target.pk is not None else ""
    object_repr = str(target)[:200] if target is not None else ""
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if not actor_label:
        actor_label = actor.get_username() if actor is not None and actor_id is not None else SYSTEM_LABEL
    before, after = _json_safe(before), _json_safe(after)
    request_id = request_id or request_id_var.get()
    with transaction.atomic():
        head = _locked_head(_chain_for(object_type, object_id))
        seq = head.last_seq + 1
        created_at = now()
        digest = event_hash(
            chain=head.pk,
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before,
            after=after,
            request_id=request_id,
            prev_hash=head.last_hash,
        )
        event = AuditEvent.objects.create(
            chain=head.pk,
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before,
            after=after,
            request_id=request_id,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditChain.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=digest)
    return event


def model_changes(instance: models.Model, fields: list[str], old: dict[str, Any]) -> tuple[dict, dict]:
    """The ``before``/``after`` summaries of the fields that changed, for ``audit_record``."""
    before, after = {}, {}
    for name in fields:
        new_value = getattr(instance, name)
        if old.get(name) != new_value:
            before[name], after[name] = old.get(name), new_value
    return before, after


# ---- checkpoints (issue 17: a rolled-back chain head must be detectable) ---------------------------


def audit_checkpoint_create(*, only_if_changed: bool = False) -> AuditCheckpoint | None:
    """Sign every chain head now and append the checkpoint (``audit.anchoring``).

    With ``only_if_changed`` nothing is written when the heads are those of the newest
    checkpoint (or there is no event yet). Returns None then, and also when another worker
    appended a checkpoint at the same moment (``prev`` is unique, so the checkpoints never fork).
    Not itself audited: an audit event would move a head and make every checkpoint stale at once;
    the checkpoint table is append-only and signed instead. Raises ``CheckpointKeyError`` for a
    damaged key file.
    """
    with transaction.atomic():
        last = AuditCheckpoint.objects.order_by("-id").first()
        heads = current_heads()
        if only_if_changed and (not heads or (last is not None and last.heads == heads)):
            return None
        created_at = now()
        prev = last.digest if last is not None else GENESIS_HASH
        signed = anchoring.payload(created_at=utc_text(created_at), heads=heads, prev=prev)
        signature = anchoring.sign(anchoring.load_or_create_key(checkpoint_key_dir()), signed)
        try:
            with transaction.atomic():
                return AuditCheckpoint.objects.create(
                    created_at=created_at,
                    heads=heads,
                    prev=prev,
                    digest=anchoring.digest(signed),
                    key_id=signature["key_id"],
                    public_key=signature["public_key"],
                    signature=signature["signature"],
                )
        except IntegrityError:
            return None  # another worker signed the same heads first


def checkpoint_export(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as a self-contained JSON object to keep outside the database: the signed
    payload, its digest, and the key and signature to check it with."""
    return {
        **anchoring.payload(
            created_at=utc_text(checkpoint.created_at), heads=checkpoint.heads, prev=checkpoint.prev
        ),
        "id": checkpoint.pk,
        "digest": checkpoint.digest,
        "key_id": checkpoint.key_id,
        "algorithm": anchoring.ALGORITHM,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
    }


def audit_checkpoints_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Timer source (``core.timers``): sign the heads when the last checkpoint is older than
    ``checkpoint_interval()`` and the log has grown since. At most one checkpoint per run."""
    if limit < 1 or audit_checkpoint_oldest_due() is None:
        return []
    checkpoint = audit_checkpoint_create(only_if_changed=True)
    return [(checkpoint.pk, f"checkpoint {checkpoint.digest[:12]} signed")] if checkpoint else []
