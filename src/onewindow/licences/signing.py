"""Signing e-licences and checking their signatures (pure Python: no Django).

The signed message is the licence's *canonical payload*: a small JSON object (number, type,
holder name, masked holder ID, validity, issuing department, the type's public data fields)
serialised with sorted keys, no whitespace and UTF-8, so that anyone can rebuild the exact
bytes from the JSON. Two algorithms, chosen per deployment:

* ``ed25519`` (default), via ``cryptography``;
* ``sm2``: SM2 signature with SM3 digest (GB/T 32918, GB/T 32905; 国密), via ``gmssl``. gmssl
  draws its nonces from ``random``; we pass one from ``secrets`` instead.

Keys live in a directory (``ONEWINDOW_KEY_DIR``), never in the database:
``<key_id>.json`` holds the public key (published), ``<key_id>.private`` the private key (mode
0600). The active key of an algorithm is its newest key with a private file; older keys stay
published so that licences signed with them still verify. ``key_id`` is a short SHA-256 hash of
the public key.

Verification never raises on bad input: a tampered payload, a garbled signature, an unknown
key or a malformed public key all give ``False`` (with a reason), never an exception.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from gmssl import sm2

KEYS_FORMAT = "onewindow-keys/1"
# The longest QR content we print: 2,000 characters make a version-33 code at error level L (149
# modules, about 0.3 mm each on the licence PDF's 4.9 cm code); a longer content leaves the payload
# out (``code_url``).
QR_MAX_CHARS = 2000
PAYLOAD_VERSION = 1
_SM2_N = int(sm2.default_ecc_table["n"], 16)


class Algorithm(StrEnum):
    ED25519 = "ed25519"
    SM2 = "sm2"


class SigningKeyError(Exception):
    """The key directory has no usable key, or a key file is damaged."""


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ``ValueError`` on anything else."""
    if not isinstance(text, str) or not text or any(c in text for c in "=+/ \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def canonical_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: JSON, sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payload_hash(payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical payload, stored next to the signature."""
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


def _key_id(algorithm: str, public: bytes) -> str:
    return hashlib.sha256(algorithm.encode() + b":" + public).hexdigest()[:16]


# --- SM2 helpers (gmssl works on hex strings) --------------------------------------------------


def _sm2_crypt(private_hex: str, public: bytes) -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_hex, public_key="00")
    # gmssl's constructor strips a "04" prefix with str.lstrip, which also eats leading
    # "0"/"4" digits of the x coordinate; set the key ourselves.
    crypt.public_key = public[1:].hex()
    return crypt


def _sm2_public_of(d: int) -> bytes:
    crypt = sm2.CryptSM2(private_key=f"{d:064x}", public_key="00")
    point = crypt._kg(d, sm2.default_ecc_table["g"])
    return b"\x04" + bytes.fromhex(point)


def _sm2_point_ok(public: bytes) -> bool:
    if len(public) != 65 or public[0] != 4:
        return False
    p = int(sm2.default_ecc_table["p"], 16)
    a = int(sm2.default_ecc_table["a"], 16)
    b = int(sm2.default_ecc_table["b"], 16)
    x, y = int.from_bytes(public[1:33], "big"), int.from_bytes(public[33:], "big")
    return x < p and y < p and (y * y - (x * x * x + a * x + b)) % p == 0


# --- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    algorithm: Algorithm
    public: bytes  # Ed25519: 32 raw bytes; SM2: uncompressed point 04||x||y (65 bytes)
    created_at: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "algorithm": self.algorithm.value,
            "public_key": b64url_encode(self.public),
            "created_at": self.created_at,
        }

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True only for a correct signature; any malformed input is simply ``False``."""
        if not isinstance(signature, bytes) or len(signature) != 64:
            return False
        if self.algorithm == Algorithm.ED25519:
            try:
                Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
            except (InvalidSignature, ValueError):
                return False
            return True
        if not _sm2_point_ok(self.public):
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        if not (0 < r < _SM2_N and 0 < s < _SM2_N):
            return False
        return bool(_sm2_crypt("00", self.public).verify_with_sm3(signature.hex(), message))


@dataclass(frozen=True)
class SigningKey:
    public_key: PublicKey
    _private: bytes  # Ed25519: 32-byte seed; SM2: 32-byte scalar d

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    @property
    def algorithm(self) -> Algorithm:
        return self.public_key.algorithm

    def signer(self) -> Callable[[bytes], bytes]:
        """``sign`` with the key loaded once, for signing many licences in a row (the simulator):
        loading an Ed25519 key costs as much as a signature."""
        if self.algorithm == Algorithm.ED25519:
            return Ed25519PrivateKey.from_private_bytes(self._private).sign
        return self.sign

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == Algorithm.ED25519:
            return Ed25519PrivateKey.from_private_bytes(self._private).sign(message)
        crypt = _sm2_crypt(self._private.hex(), self.public_key.public)
        while True:  # gmssl returns None for the (negligible) degenerate nonces; draw again
            k = secrets.randbelow(_SM2_N - 1) + 1
            signature = crypt.sign_with_sm3(message, f"{k:064x}")
            if signature:
                return bytes.fromhex(signature)


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


def key_generate(
    *, key_dir: Path, algorithm: str = Algorithm.ED25519, now: dt.datetime | None = None
) -> PublicKey:
    """Create a key pair in ``key_dir``; it becomes the active key of its algorithm."""
    algorithm = Algorithm(algorithm)
    key_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)
    created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    if algorithm == Algorithm.ED25519:
        private_key = Ed25519PrivateKey.generate()
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        private_file = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    else:
        d = secrets.randbelow(_SM2_N - 2) + 1
        public = _sm2_public_of(d)
        private_file = json.dumps({"algorithm": "sm2", "d": f"{d:064x}"}).encode()
    key = PublicKey(key_id=_key_id(algorithm, public), algorithm=algorithm, public=public, created_at=created)
    _write_private(key_dir / f"{key.key_id}.private", private_file)
    (key_dir / f"{key.key_id}.json").write_text(json.dumps(key.as_json(), indent=2) + "\n", encoding="utf-8")
    return key


def _public_from_json(entry: Any) -> PublicKey:
    """One key of a keys document; raises ``ValueError`` when it is malformed."""
    if not isinstance(entry, dict):
        raise ValueError("key entry is not an object")
    try:
        algorithm = Algorithm(entry.get("algorithm"))
    except ValueError:
        raise ValueError(f"unknown algorithm {entry.get('algorithm')!r}") from None
    public = b64url_decode(entry.get("public_key", ""))
    key_id = entry.get("key_id")
    if key_id != _key_id(algorithm, public):
        raise ValueError(f"key_id {key_id!r} does not match its public key")
    return PublicKey(
        key_id=key_id, algorithm=algorithm, public=public, created_at=str(entry.get("created_at", ""))
    )


def public_keys(key_dir: Path) -> list[PublicKey]:
    """Every published public key in ``key_dir``, oldest first (damaged files are skipped)."""
    keys = []
    if not key_dir.is_dir():
        return keys
    for path in sorted(key_dir.glob("*.json")):
        try:
            keys.append(_public_from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, OSError):
            continue
    return sorted(keys, key=lambda k: (k.created_at, k.key_id))


def signing_key(key_dir: Path, algorithm: str) -> SigningKey:
    """The active (newest) private key of ``algorithm``; raises ``SigningKeyError`` if there is none."""
    algorithm = Algorithm(algorithm)
    for key in reversed(public_keys(key_dir)):
        path = key_dir / f"{key.key_id}.private"
        if key.algorithm != algorithm or not path.is_file():
            continue
        content = path.read_bytes()
        if algorithm == Algorithm.ED25519:
            private = serialization.load_pem_private_key(content, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise SigningKeyError(f"{path} is not an Ed25519 key")
            raw = private.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            derived = private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        else:
            raw = bytes.fromhex(json.loads(content)["d"])
            derived = _sm2_public_of(int.from_bytes(raw, "big"))
        if derived != key.public:
            raise SigningKeyError(f"{path} does not belong to public key {key.key_id}")
        return SigningKey(public_key=key, _private=raw)
    raise SigningKeyError(f"no {algorithm.value} signing key in {key_dir}")


def keys_document(keys: list[PublicKey]) -> dict[str, Any]:
    """The published keys file (``/.well-known/onewindow-keys.json``)."""
    return {"format": KEYS_FORMAT, "keys": [k.as_json() for k in keys]}


def keys_from_document(document: Any) -> dict[str, PublicKey]:
    """Parse a keys file; raises ``ValueError`` if it is not one."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a OneWindow keys file (no 'keys' list)")
    keys = [_public_from_json(entry) for entry in document["keys"]]
    return {k.key_id: k for k in keys}


# --- signed licences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    reason: str  # Chinese, shown to the person checking
    key_id: str = ""
    algorithm: str = ""


def check_signature(
    *, payload: Any, key_id: str, signature: str, keys: dict[str, PublicKey]
) -> SignatureCheck:
    """Does ``signature`` (base64url) by key ``key_id`` cover ``payload``? Never raises."""
    if not isinstance(payload, dict):
        return SignatureCheck(False, "证照数据格式不正确")
    key = keys.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        return SignatureCheck(False, f"签名密钥“{key_id}”不在公钥列表中", key_id=str(key_id))
    try:
        raw = b64url_decode(signature)
        message = canonical_bytes(payload)
    except (ValueError, TypeError):
        return SignatureCheck(False, "签名格式不正确", key_id=key_id, algorithm=key.algorithm)
    if not key.verify(message, raw):
        return SignatureCheck(False, "签名不符：证照数据或签名被篡改", key_id=key_id, algorithm=key.algorithm)
    return SignatureCheck(True, "签名有效", key_id=key_id, algorithm=key.algorithm)


@dataclass(frozen=True)
class Code:
    """What a licence's QR code carries: the number, the signed payload, the key and signature."""

    number: str
    payload: dict[str, Any] | None
    key_id: str
    signature: str


def code_url(*, base_url: str, number: str, payload: dict[str, Any], key_id: str, signature: str) -> str:
    """The QR content: ``<base>/verify/<number>?p=<payload>&k=<key id>&s=<signature>``.

    The payload rides along (base64url of the canonical JSON) so that an inspector can check
    the licence offline with only the public keys; online, the page looks the number up. A
    payload too long for a printable QR code (an integrated licence listing many permits) is
    left out: that code verifies online only.
    """
    base = f"{base_url.rstrip('/')}/verify/{number}"
    url = f"{base}?p={b64url_encode(canonical_bytes(payload))}&k={key_id}&s={signature}"
    return url if len(url) <= QR_MAX_CHARS else f"{base}?k={key_id}&s={signature}"


def code_parse(text: str) -> Code:
    """Parse a QR string (``…/verify/<number>?p=…&k=…&s=…``); raises ``ValueError`` if it isn't one."""
    if not isinstance(text, str) or len(text) > 8000:
        raise ValueError("not a licence code")
    parts = urlsplit(text.strip())
    path = unquote(parts.path)
    marker = "/verify/"
    if marker not in path:
        raise ValueError("not a licence code: no /verify/<number>")
    number = path.rsplit(marker, 1)[1].strip("/")
    query = parse_qs(parts.query)
    if not number or "s" not in query or "k" not in query:
        raise ValueError("not a licence code: number, key or signature missing")
    payload = None
    if "p" in query:
        try:
            payload = json.loads(b64url_decode(query["p"][0]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            payload = {"__malformed__": True}
    return Code(number=number, payload=payload, key_id=query["k"][0], signature=query["s"][0])
