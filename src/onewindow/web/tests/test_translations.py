"""The English translation: chosen with the language selector, complete, and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _po_entries(path: Path) -> list[dict[str, str | set[str]]]:
    """The entries of a .po file (obsolete ``#~`` entries skipped): keyword → text, plus flags."""
    entries: list[dict[str, str | set[str]]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str | set[str]] = {"flags": set()}
        keyword = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                keyword = match.group(1)
                entry[keyword] = _unescape(match.group(2))
            elif line.startswith('"') and keyword:
                entry[keyword] = str(entry[keyword]) + _unescape(line[1:-1])
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _choose_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_a_visitor_who_chooses_english_reads_the_home_page_in_english(client, demo_org):
    _choose_english(client)
    response = client.get("/")
    page = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "One door, every service" in page
    assert "Hall windows" in page and "Service guides" in page
    assert "进一扇门，办所有事" not in page


def test_the_admin_shows_model_names_in_english(client, django_user_model):
    admin = django_user_model.objects.create_superuser("i18n-admin", "", "pw-i18n-admin")
    client.force_login(admin)
    _choose_english(client)
    page = client.get("/admin/").content.decode()
    assert "OneWindow administration" in page
    assert "Region" in page and "Department" in page and "Service item" in page
    assert "行政区划" not in page


def test_without_a_choice_the_pages_stay_chinese(client, demo_org):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "进一扇门，办所有事" in page
    assert "One door, every service" not in page


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    entries = [e for e in _po_entries(PO) if e["msgid"]]
    assert len(entries) > 900
    untranslated = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_are_kept_in_every_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}]*\}")
    wrong = []
    for e in _po_entries(PO):
        expected = sorted(placeholder.findall(str(e["msgid"])))
        wrong += [
            (e["msgid"], value)
            for key, value in e.items()
            if key.startswith("msgstr") and e["msgid"] and sorted(placeholder.findall(str(value))) != expected
        ]
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (a fresh machine needs no gettext), so it must not lag the .po."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for e in _po_entries(PO):
        if not e["msgid"] or "msgctxt" in e:
            continue
        if "msgid_plural" in e:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr[1]"]
        else:
            assert compiled.gettext(str(e["msgid"])) == e["msgstr"], e["msgid"]
