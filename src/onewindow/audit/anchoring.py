"""Signed checkpoints of the audit chain heads (pure Python: no Django).

The hash chains show an edited row or a gap, but not a *rollback*: someone with database access
who deletes the newest rows of a chain and sets its head back to the last remaining row leaves a
chain that verifies. A checkpoint records every chain's head (sequence number and hash) at one
moment, signed with the audit's own Ed25519 key; kept outside the database (exported to a file,
printed, mailed to the supervising office), it proves which rows existed then.

The audit key is the audit's own, in ``<ONEWINDOW_KEY_DIR>/audit/`` (the audit app imports no
other app, so not the licences' key): ``checkpoint.private`` (raw 32-byte seed, base64url, mode
0600) and ``checkpoint.json`` (the public key, safe to publish). ``key_id`` is a short SHA-256
of the public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "onewindow-audit-checkpoint/1"
ALGORITHM = "ed25519"
PRIVATE_FILE = "checkpoint.private"
PUBLIC_FILE = "checkpoint.json"

Heads = dict[str, dict[str, Any]]  # {"<chain>": {"seq": int, "hash": str}}


class CheckpointKeyError(Exception):
    """The audit key file is damaged or unreadable."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url; ``ValueError`` on anything else."""
    if not isinstance(text, str) or not text or any(c in text for c in "=+/ \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def canonical(value: Any) -> bytes:
    """The signed bytes: JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payload(*, created_at: str, heads: Heads, prev: str) -> dict[str, Any]:
    """What a checkpoint signs: when, every chain head, and the digest of the checkpoint before
    (so the checkpoints form a chain of their own)."""
    return {"format": FORMAT, "created_at": created_at, "heads": heads, "prev": prev}


def digest(signed: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(signed)).hexdigest()


def key_id(public: bytes) -> str:
    return hashlib.sha256(ALGORITHM.encode() + b":" + public).hexdigest()[:16]


def _public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(unb64url(path.read_text(encoding="ascii").strip()))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CheckpointKeyError(f"审计签名密钥文件 {path} 无法读取或已损坏：{exc}") from exc


def load_or_create_key(directory: Path) -> Ed25519PrivateKey:
    """The audit signing key in ``directory``, created (mode 0600, folder 0700) on first use.

    Two processes creating it at once are safe: the file is created exclusively and the loser
    reads the winner's key."""
    path = directory / PRIVATE_FILE
    if path.exists():
        return _read_private(path)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_private(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(b64url(seed) + "\n")
    public = _public_bytes(private)
    info = {"key_id": key_id(public), "algorithm": ALGORITHM, "public_key": b64url(public)}
    (directory / PUBLIC_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="ascii")
    return private


def local_public_key(directory: Path) -> tuple[str, bytes] | None:
    """(key_id, public key) of this installation's audit key, or None if it has none yet."""
    path = directory / PRIVATE_FILE
    if not path.exists():
        return None
    public = _public_bytes(_read_private(path))
    return key_id(public), public


def sign(private: Ed25519PrivateKey, signed: dict[str, Any]) -> dict[str, str]:
    """The signature fields stored with a checkpoint: key id, algorithm, public key, signature."""
    public = _public_bytes(private)
    return {
        "key_id": key_id(public),
        "algorithm": ALGORITHM,
        "public_key": b64url(public),
        "signature": b64url(private.sign(canonical(signed))),
    }


def signature_ok(signed: dict[str, Any], *, public_key: str, signature: str) -> bool:
    """True only for a correct Ed25519 signature; malformed input is ``False``, never an error."""
    try:
        public = unb64url(public_key)
        raw = unb64url(signature)
        Ed25519PublicKey.from_public_bytes(public).verify(raw, canonical(signed))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
