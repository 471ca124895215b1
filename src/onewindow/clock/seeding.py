"""Past years' holidays from the maintained ``chinesecalendar`` package.

Read only when seeding (``onewindow calendar seed``, ``load-demo``), never at request time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version


@dataclass(frozen=True)
class SeedYear:
    year: int
    holidays: dict[date, str]
    makeup_workdays: dict[date, str]


def _chinese(name: str) -> str:
    from chinese_calendar import constants

    try:
        return constants.Holiday(name).chinese
    except ValueError:
        return name


def package_source() -> str:
    return f"chinesecalendar {version('chinesecalendar')}（国务院办公厅节假日安排通知）"


def seed_years(first_year: int | None = None, last_year: int | None = None) -> list[SeedYear]:
    """Every year the package knows, each with its holidays and make-up working days (Chinese names)."""
    from chinese_calendar import constants

    known = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    years = [
        y for y in known if (first_year is None or y >= first_year) and (last_year is None or y <= last_year)
    ]
    return [
        SeedYear(
            year=y,
            holidays={d: _chinese(n) for d, n in constants.holidays.items() if d.year == y},
            makeup_workdays={d: _chinese(n) for d, n in constants.workdays.items() if d.year == y},
        )
        for y in years
    ]
