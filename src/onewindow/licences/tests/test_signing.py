"""The signing module on its own: no Django, no database."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.licences import signing

PAYLOAD = {"v": 1, "number": "JY43070225000001", "holder": "味道好餐饮", "data": {"经营项目": "热食类"}}


@pytest.fixture(scope="module", params=["ed25519", "sm2"])
def key(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(request.param)
    signing.key_generate(key_dir=directory, algorithm=request.param)
    return signing.signing_key(directory, request.param)


def test_the_signing_and_offline_modules_import_without_django():
    code = (
        "import sys, onewindow.licences.signing, onewindow.licences.offline; "
        "assert 'django' not in sys.modules"
    )
    src = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(src)})


def test_the_canonical_payload_is_sorted_compact_utf8():
    assert signing.canonical_bytes({"b": "证", "a": 1}) == '{"a":1,"b":"证"}'.encode()


# SM2 is pure Python (gmssl): a few milliseconds per signature, so no per-example deadline.
@settings(deadline=None, max_examples=30)
@given(field=st.sampled_from(["number", "holder"]), text=st.text(min_size=1, max_size=20))
def test_any_change_to_the_payload_breaks_the_signature(key, field, text):
    signature = signing.b64url_encode(key.sign(signing.canonical_bytes(PAYLOAD)))
    keys = {key.key_id: key.public_key}
    tampered = {**PAYLOAD, field: PAYLOAD[field] + text}
    assert signing.check_signature(payload=PAYLOAD, key_id=key.key_id, signature=signature, keys=keys).ok
    assert not signing.check_signature(payload=tampered, key_id=key.key_id, signature=signature, keys=keys).ok


@settings(deadline=None, max_examples=30)
@given(garbage=st.one_of(st.text(max_size=120), st.binary(max_size=80).map(signing.b64url_encode)))
def test_a_garbled_signature_is_invalid_and_never_raises(key, garbage):
    keys = {key.key_id: key.public_key}
    assert not signing.check_signature(payload=PAYLOAD, key_id=key.key_id, signature=garbage, keys=keys).ok


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"keys": "x"},
        {"keys": [{"algorithm": "rsa"}]},
        {"keys": [{"algorithm": "ed25519", "key_id": "x"}]},
    ],
)
def test_a_malformed_keys_file_is_a_value_error(document):
    with pytest.raises(ValueError, match=r"keys|algorithm|base64|match"):
        signing.keys_from_document(document)


def test_a_key_id_that_does_not_match_its_public_key_is_refused(key):
    entry = key.public_key.as_json() | {"key_id": "0000000000000000"}
    with pytest.raises(ValueError, match="does not match"):
        signing.keys_from_document({"keys": [entry]})


def test_a_signer_for_many_licences_signs_as_the_key_does(key):
    sign = key.signer()
    message = signing.canonical_bytes(PAYLOAD)
    signatures = [sign(message) for _ in range(3)]
    assert all(key.public_key.verify(message, s) for s in signatures)
    assert not key.public_key.verify(message + b" ", signatures[0])


def test_a_payload_too_long_for_a_printable_qr_code_is_left_out_of_it(key):
    long_payload = {
        **PAYLOAD,
        "permits": [{"number": f"JY{i:014d}", "scope": "经营项目" * 10} for i in range(12)],
    }
    args = {
        "base_url": "https://ow.example",
        "number": "ZH43070225000001",
        "key_id": key.key_id,
        "signature": "s1g",
    }
    assert "p=" in signing.code_url(payload=PAYLOAD, **args)
    code = signing.code_url(payload=long_payload, **args)
    assert len(code) <= signing.QR_MAX_CHARS and "p=" not in code
    parsed = signing.code_parse(code)
    assert (parsed.number, parsed.payload, parsed.signature) == ("ZH43070225000001", None, "s1g")
