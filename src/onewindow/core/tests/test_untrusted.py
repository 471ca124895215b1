"""The checks for text and documents from outside (core.untrusted): which characters are refused
where, the place an error names, and nesting bombs turned into a clear error."""

import json

import pytest

from onewindow.core.untrusted import (
    MAX_DEPTH,
    ControlCharacter,
    TooDeep,
    check_document,
    check_line,
    check_text,
    flow_depth,
    load_json,
)


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x1b", "\x7f", "\ud800"])
def test_text_refuses_control_characters_and_lone_surrogates(char):
    with pytest.raises(ControlCharacter, match=f"U\\+{ord(char):04X}"):
        check_text(f"营业执照{char}", "经营范围")


def test_text_keeps_tabs_and_line_breaks_but_names_and_query_strings_do_not():
    check_text("第一行\r\n\t第二行，（副本）", "备注")
    with pytest.raises(ControlCharacter, match="查询参数"):
        check_line("第一行\n第二行", "查询参数")


def test_a_document_error_names_its_place_and_nesting_has_a_limit():
    with pytest.raises(ControlCharacter, match=r"\$\.items\[1\]\.name"):
        check_document({"items": [{"name": "甲"}, {"name": "乙\x00"}]})
    with pytest.raises(ControlCharacter, match="的键"):
        check_document({"form_data": {"key\x1b": 1}})
    check_document(json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH))
    with pytest.raises(TooDeep):
        check_document(json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)))
    with pytest.raises(TooDeep):
        load_json("[" * 100_000 + "]" * 100_000)  # json.loads alone: RecursionError
    assert flow_depth('{"a": [1, {"b": "]"}]}') == 3 and flow_depth("a: [[[") == 3
