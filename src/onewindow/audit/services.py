"""Writing the audit log. ``audit_record`` is the only way rows are created."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from onewindow.audit.context import request_id_var
from onewindow.audit.hashing import event_hash
from onewindow.audit.models import GENESIS_HASH, AuditChain, AuditEvent
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
