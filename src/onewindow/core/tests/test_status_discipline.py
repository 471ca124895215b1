"""STYLE.md §4: a status changes only inside the owning app's transition function."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
ASSIGNMENT = re.compile(r"\.status\s*=(?!=)")


def test_no_code_assigns_a_status_field_directly():
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ASSIGNMENT.search(line)
    ]
    assert offenders == []


def test_case_statuses_are_written_only_by_the_cases_transition_functions():
    writers = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and re.search(r"\bCase\.objects\.[^\n]*\.update\([^)]*\bstatus=", path.read_text(encoding="utf-8"))
    ]
    assert set(writers) <= {"cases/services/core.py"}
