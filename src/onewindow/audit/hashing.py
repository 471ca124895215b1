"""Canonical content and hash of an audit row (pure Python; no Django import)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


def canonical(value: Any) -> str:
    """Stable JSON text: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def utc_text(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    chain: int,
    seq: int,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    request_id: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every stored field of the row and the previous row's hash."""
    content = canonical(
        [
            chain,
            seq,
            utc_text(created_at),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            object_repr,
            before,
            after,
            request_id,
            prev_hash,
        ]
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()
