"""Checking a licence offline, with only the published public keys (no database, no network).

Input: the QR string, or a JSON export of the licence (``selectors.licence_export``). What can be
known offline: whether the signature covers the payload, and whether the payload's validity
period has passed. Revocation, suspension, 换发 (superseded) and 注销 (cancelled) are known only
from an export, as of its ``status.as_of`` time (that statement is signed too); a QR code alone
cannot show them, so its verdict is ``signature_valid`` and the message says to check online.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from onewindow.licences import signing

EXPORT_FORMAT = "onewindow-licence/1"
# verdict -> process exit status of ``onewindow licence verify``
EXIT_CODES = {
    "valid": 0,
    "signature_valid": 0,
    "invalid": 2,
    "revoked": 3,
    "suspended": 3,
    "expired": 3,
    "superseded": 3,
    "cancelled": 3,
    "partly_invalid": 3,
}
# An export's status that makes the licence invalid -> its label.
ENDED_LABELS = {
    "revoked": "已吊销",
    "suspended": "已暂停",
    "expired": "已过期",
    "superseded": "已换发",
    "cancelled": "已注销",
}
PERMIT_STATUS_LABELS = {**ENDED_LABELS, "not_found": "查无此证"}


@dataclass
class OfflineVerdict:
    # valid | signature_valid | invalid | revoked | suspended | expired | superseded | cancelled
    # | partly_invalid
    verdict: str
    number: str = ""
    messages: list[str] = field(default_factory=list)
    payload: dict[str, Any] | None = None


def _expired(payload: dict[str, Any], on: dt.date) -> bool:
    try:
        expires_on = payload.get("expires_on")
        return expires_on is not None and dt.date.fromisoformat(expires_on) < on
    except (TypeError, ValueError):
        return True  # an unreadable date is not a valid licence


def _from_export(document: dict[str, Any], keys: dict[str, signing.PublicKey], on: dt.date) -> OfflineVerdict:
    payload, number = document.get("payload"), str(document.get("number", ""))[:40]
    sig = document.get("signature") if isinstance(document.get("signature"), dict) else {}
    check = signing.check_signature(
        payload=payload, key_id=sig.get("key_id", ""), signature=sig.get("value", ""), keys=keys
    )
    if not check.ok or payload.get("number") != number:
        reason = check.reason if not check.ok else "证号与签名内容不符"
        return OfflineVerdict("invalid", number, [f"证照签名无效：{reason}"])
    status = document.get("status")
    status_sig = (
        document.get("status_signature") if isinstance(document.get("status_signature"), dict) else {}
    )
    status_check = signing.check_signature(
        payload=status, key_id=status_sig.get("key_id", ""), signature=status_sig.get("value", ""), keys=keys
    )
    if not status_check.ok or status.get("number") != number:
        return OfflineVerdict(
            "invalid", number, ["证照签名有效，但状态声明的签名无效（可能被篡改），无法确认状态"], payload
        )
    as_of = status.get("as_of", "")
    messages = [
        f"签名有效（{check.algorithm}，密钥 {check.key_id}）",
        f"离线核验：状态取自导出文件，截至 {as_of}",
    ]
    value = status.get("status")
    if value in ENDED_LABELS:
        lines = [*messages, f"状态：{ENDED_LABELS[value]}（无效）"]
        if value == "superseded" and status.get("superseded_by"):
            lines.append(f"已换发新证：{str(status['superseded_by'])[:40]}（请以新证为准）")
        return OfflineVerdict(value, number, lines, payload)
    if _expired(payload, on):
        return OfflineVerdict(
            "expired", number, [*messages, f"状态：已过期（有效期至 {payload.get('expires_on')}）"], payload
        )
    if value != "valid":
        return OfflineVerdict("invalid", number, [*messages, f"未知状态“{value}”"], payload)
    permits = status.get("permits") if isinstance(status.get("permits"), list) else []
    lapsed = [p for p in permits if isinstance(p, dict) and p.get("status") != "valid"]
    if lapsed:  # 一业一证: some permits the integrated licence lists were no longer valid
        lines = [
            f"所含许可 {p.get('number')}：{PERMIT_STATUS_LABELS.get(p.get('status'), '无效')}" for p in lapsed
        ]
        return OfflineVerdict("partly_invalid", number, [*messages, "状态：部分许可已失效", *lines], payload)
    return OfflineVerdict("valid", number, [*messages, "状态：有效（导出后的吊销须联网核验）"], payload)


def _from_code(text: str, keys: dict[str, signing.PublicKey], on: dt.date) -> OfflineVerdict:
    try:
        code = signing.code_parse(text)
    except ValueError:
        return OfflineVerdict("invalid", "", ["无法识别：既不是证照二维码内容，也不是证照导出文件"])
    if code.payload is None:
        return OfflineVerdict("invalid", code.number, ["二维码中没有证照数据，无法离线核验：请联网核验"])
    check = signing.check_signature(
        payload=code.payload, key_id=code.key_id, signature=code.signature, keys=keys
    )
    if not check.ok or code.payload.get("number") != code.number:
        reason = check.reason if not check.ok else "证号与签名内容不符"
        return OfflineVerdict("invalid", code.number, [f"签名无效：{reason}"])
    messages = [
        f"签名有效（{check.algorithm}，密钥 {check.key_id}）",
        "离线核验无法得知吊销、暂停、换发或注销：请联网打开二维码地址核验当前状态",
    ]
    if _expired(code.payload, on):
        return OfflineVerdict(
            "expired",
            code.number,
            [*messages, f"已过期（有效期至 {code.payload.get('expires_on')}）"],
            code.payload,
        )
    return OfflineVerdict("signature_valid", code.number, messages, code.payload)


def verify_offline(text: str, keys: dict[str, signing.PublicKey], *, on: dt.date) -> OfflineVerdict:
    """The verdict on a QR string or a JSON export; never raises on malformed input."""
    stripped = (text or "").strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            return OfflineVerdict("invalid", "", ["导出文件不是有效的 JSON"])
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            return OfflineVerdict("invalid", "", [f"不是证照导出文件（format 应为 {EXPORT_FORMAT}）"])
        return _from_export(document, keys, on)
    return _from_code(stripped, keys, on)
