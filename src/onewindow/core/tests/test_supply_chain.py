"""The licence, the hash-pinned locks and the dependency audit (issue 17): each test fails when a
change breaks the supply-chain rules, e.g. a dependency added to pyproject.toml but not locked
with a hash, or declared but used nowhere."""

import os
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SRC = ROOT / "src" / "onewindow"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)
HASHED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+ \\\n    --hash=sha256:[0-9a-f]{64}$", re.MULTILINE)

# Declared dependencies that no module imports by name, and why they are needed all the same.
USED_WITHOUT_IMPORT = {
    "psycopg": "Django's PostgreSQL backend loads it for DATABASE_URL=postgres://…",
    "gunicorn": "`onewindow serve` runs it as the WSGI server",
    "defusedxml": "openpyxl parses workbooks through it when it is installed",
    "pytest-django": "pytest plugin (DJANGO_SETTINGS_MODULE in pyproject.toml)",
    "pytest-xdist": "pytest plugin (-n 2 in the Makefile)",
    "pytest-playwright": "pytest plugin for the browser tests",
    "ruff": "`make lint`",
    "pip-audit": "`make audit-deps` (scripts/audit_deps.py)",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    return {canonical(name): version for name, version in PIN.findall(text)}


def lock(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_licence_file_is_the_agpl_that_pyproject_declares():
    assert PYPROJECT["project"]["license"] == "AGPL-3.0-or-later"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_a_hash(name):
    text = lock(name)
    assert pins(text), name
    assert len(HASHED.findall(text)) == len(PIN.findall(text))


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("requirements.lock", PYPROJECT["project"]["dependencies"]),
        ("requirements-dev.lock", PYPROJECT["project"]["optional-dependencies"]["dev"]),
    ],
)
def test_every_declared_dependency_is_locked_at_its_version(name, declared):
    locked = pins(lock(name))
    for requirement in declared:
        (dist, version), *_ = PIN.findall(requirement)
        assert locked.get(canonical(dist)) == version, f"{requirement} is not locked in {name}: run make lock"


def test_the_runtime_and_development_locks_do_not_overlap():
    assert not set(pins(lock("requirements.lock"))) & set(pins(lock("requirements-dev.lock")))


def test_every_declared_dependency_is_used():
    modules_of = defaultdict(set)
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules_of[canonical(dist)].add(module)
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if "migrations" not in p.parts)
    declared = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    for requirement in declared:
        dist = canonical(PIN.findall(requirement)[0][0])
        if dist in USED_WITHOUT_IMPORT:
            continue
        modules = modules_of[dist]
        used = any(re.search(rf"^\s*(import|from) {m}\b|[\"']{m}[.\"']", code, re.MULTILINE) for m in modules)
        assert used, f"{requirement} is declared but nothing imports {sorted(modules)}: drop it"


def run_audit(probe_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ONEWINDOW_AUDIT_PROBE_URL": probe_url}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit_deps.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_dependency_audit_is_skipped_with_a_clear_message_when_the_network_is_closed():
    result = run_audit("http://127.0.0.1:9/pypi/django/json")  # nothing listens on the discard port
    assert result.returncode == 0
    assert "dependency audit SKIPPED" in result.stdout and "Nothing was checked" in result.stdout


def test_the_dependency_audit_is_skipped_when_the_answer_holds_no_advisories(tmp_path):
    answer = tmp_path / "answer.json"
    answer.write_text('{"info": {"name": "django"}}', encoding="utf-8")
    result = run_audit(answer.as_uri())
    assert result.returncode == 0
    assert "no vulnerability data" in result.stdout


@pytest.mark.django_db
def test_every_page_offers_the_source_code_when_its_address_is_set(client, settings):
    settings.ONEWINDOW_SOURCE_URL = "https://example.org/onewindow/source"
    page = client.get("/").content.decode()
    assert 'href="https://example.org/onewindow/source"' in page
    assert "AGPL-3.0" in page
