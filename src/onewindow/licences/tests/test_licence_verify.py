"""A licence verifies by its QR code, by URL and offline; after revocation all three say so."""

import json
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from onewindow.licences import signing
from onewindow.licences.models import Licence
from onewindow.licences.selectors import licence_code, licence_export, licence_verify
from onewindow.licences.services import licence_revoke

from .conftest import issue

pytestmark = pytest.mark.django_db


def local(url: str) -> str:
    """The path and query of a QR URL, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def offline(tmp_path, settings, text: str) -> tuple[str, int]:
    """Run ``onewindow licence verify`` with the keys file, as an inspector would without network."""
    keys_file = tmp_path / "onewindow-keys.json"
    keys_file.write_text(
        json.dumps(signing.keys_document(signing.public_keys(settings.ONEWINDOW_KEY_DIR))), encoding="utf-8"
    )
    out = StringIO()
    try:
        call_command("licence", "verify", text, "--keys", str(keys_file), "--date", "2025-03-10", stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def export_file(tmp_path, licence: Licence) -> str:
    path = tmp_path / f"{licence.number}.json"
    path.write_text(json.dumps(licence_export(licence), ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_scanning_the_qr_code_shows_a_valid_licence(client, food_licence):
    response = client.get(local(licence_code(food_licence)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "有效" in page and "签名有效" in page and food_licence.number in page
    assert response.context["result"].verdict == "valid"
    assert response.context["result"].code_matches is True


def test_the_verification_url_shows_status_and_masked_public_fields(client, food_licence, enterprise):
    response = client.get(f"/verify/{food_licence.number}")
    page = response.content.decode()
    assert response.context["result"].verdict == "valid"
    assert "餐饮服务经营者" in page and "常德市武陵区市场监督管理局" in page
    assert enterprise.id_number not in page  # the holder's number is masked


def test_the_public_json_check_needs_no_login(client, food_licence):
    body = client.get(f"/api/v1/licences/verify/{food_licence.number}").json()
    assert (body["verdict"], body["is_valid"], body["signature_ok"]) == ("valid", True, True)


def test_the_qr_string_verifies_offline_with_the_keys_file(tmp_path, settings, food_licence):
    out, status = offline(tmp_path, settings, licence_code(food_licence))
    assert status == 0
    assert "verdict: signature_valid" in out
    assert "离线核验无法得知吊销" in out  # says plainly what offline cannot know


def test_the_json_export_verifies_offline_as_valid(tmp_path, settings, food_licence):
    out, status = offline(tmp_path, settings, export_file(tmp_path, food_licence))
    assert status == 0 and "verdict: valid" in out and "状态取自导出文件" in out


def test_after_revocation_the_qr_the_url_and_the_offline_export_all_say_revoked(
    client, tmp_path, settings, food_licence
):
    code = licence_code(food_licence)
    licence_revoke(licence=food_licence, actor=None, reason="告知承诺核查不实")
    food_licence.refresh_from_db()

    scanned = client.get(local(code))
    assert scanned.context["result"].verdict == "revoked"
    assert "已吊销" in scanned.content.decode() and "告知承诺核查不实" in scanned.content.decode()
    assert client.get(f"/verify/{food_licence.number}").context["result"].verdict == "revoked"
    assert client.get(f"/api/v1/licences/verify/{food_licence.number}").json()["verdict"] == "revoked"
    out, status = offline(tmp_path, settings, export_file(tmp_path, food_licence))
    assert "verdict: revoked" in out and status == 3


def test_an_expired_licence_is_shown_as_expired_even_before_the_expiry_timer_runs(
    client, food_licence, frozen
):
    frozen.move_to("2030-03-10 09:00 +08:00")
    assert client.get(f"/verify/{food_licence.number}").context["result"].verdict == "expired"


def test_an_unknown_number_is_a_404_page_not_an_error(client, db):
    response = client.get("/verify/JY00000000000000")
    assert response.status_code == 404 and "查无此证" in response.content.decode()


@pytest.mark.parametrize("number", ["<script>", "x" * 300, "证号", "JY 123"])
def test_a_garbled_number_is_not_found(client, db, number):
    assert client.get(f"/api/v1/licences/verify/{number}").json()["verdict"] == "not_found"


def test_a_number_with_a_control_character_is_refused_at_the_edge(client, db):
    response = client.get("/api/v1/licences/verify/jy%00")
    assert response.status_code == 400 and response.json()["code"] == "control_character"


def test_a_tampered_payload_in_the_database_is_reported_as_invalid(client, food_licence):
    Licence.objects.filter(pk=food_licence.pk).update(
        payload={**food_licence.payload, "holder": "别人的公司"}
    )
    response = client.get(f"/verify/{food_licence.number}")
    assert response.status_code == 200
    assert response.context["result"].verdict == "invalid"
    assert "签名核验未通过" in response.content.decode()


def test_a_qr_code_with_a_forged_signature_is_invalid_not_valid(client, food_licence):
    forged = licence_code(food_licence).replace("&s=", "&s=AAAA")
    assert client.get(local(forged)).context["result"].verdict == "invalid"


def test_a_qr_code_with_an_edited_payload_is_invalid_online_and_offline(
    client, tmp_path, settings, food_licence
):
    payload = {**food_licence.payload, "expires_on": "2099-12-31"}
    tampered = signing.code_url(
        base_url="http://127.0.0.1:8000",
        number=food_licence.number,
        payload=payload,
        key_id=food_licence.signature_key_id,
        signature=food_licence.signature,
    )
    assert client.get(local(tampered)).context["result"].verdict == "invalid"
    out, status = offline(tmp_path, settings, tampered)
    assert "verdict: invalid" in out and status == 2


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["payload"].update(holder="冒名公司"),
        lambda d: d["signature"].update(value=d["signature"]["value"][:-4] + "AAAA"),
        lambda d: d["signature"].update(value="not base64 !!"),
        lambda d: d["signature"].update(key_id="0000000000000000"),
        lambda d: d["status"].update(status="valid", number="JY1"),
        lambda d: d.update(payload="garbage"),
        lambda d: d.update(status=None),
    ],
    ids=["payload", "signature", "garbled-signature", "unknown-key", "status", "payload-type", "status-type"],
)
def test_a_tampered_export_is_reported_invalid_and_never_crashes(tmp_path, settings, food_licence, edit):
    document = licence_export(food_licence)
    edit(document)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out, status = offline(tmp_path, settings, str(path))
    assert "verdict: invalid" in out and status == 2


def test_a_revoked_export_edited_to_say_valid_is_invalid(tmp_path, settings, food_licence):
    licence_revoke(licence=food_licence, actor=None, reason="吊销")
    document = licence_export(Licence.objects.get(pk=food_licence.pk))
    document["status"]["status"] = "valid"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out, _status = offline(tmp_path, settings, str(path))
    assert "verdict: invalid" in out


@pytest.mark.parametrize("text", ["hello", "{not json", '{"format": "other"}', "https://x/verify/", "[]"])
def test_input_that_is_not_a_licence_is_invalid(tmp_path, settings, key_dir, text):
    out, status = offline(tmp_path, settings, text)
    assert "verdict: invalid" in out and status == 2


def test_licences_signed_with_sm2_verify_too(client, tmp_path, settings, licence_types, enterprise, frozen):
    settings.ONEWINDOW_SIGNING_ALGORITHM = "sm2"
    signing.key_generate(key_dir=settings.ONEWINDOW_KEY_DIR, algorithm="sm2")
    licence = issue("食品经营许可证", enterprise, data={"经营项目": "预包装食品销售"})
    assert licence.signature_algorithm == "sm2"
    assert licence_verify(number=licence.number).verdict == "valid"
    out, status = offline(tmp_path, settings, export_file(tmp_path, licence))
    assert status == 0 and "sm2" in out
    Licence.objects.filter(pk=licence.pk).update(payload={**licence.payload, "holder": "冒名"})
    assert licence_verify(number=licence.number).verdict == "invalid"


def test_older_keys_stay_published_so_earlier_licences_still_verify(client, food_licence, settings):
    signing.key_generate(key_dir=settings.ONEWINDOW_KEY_DIR, algorithm="ed25519")
    keys = client.get("/.well-known/onewindow-keys.json").json()["keys"]
    assert food_licence.signature_key_id in {k["key_id"] for k in keys} and len(keys) == 2
    assert licence_verify(number=food_licence.number).verdict == "valid"


def test_the_published_keys_file_has_no_private_key(client, key_dir):
    body = client.get("/.well-known/onewindow-keys.json").json()
    assert set(body["keys"][0]) == {"key_id", "algorithm", "public_key", "created_at"}
