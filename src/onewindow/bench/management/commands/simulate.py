"""``onewindow simulate --cases N [--years 2024,2025,2026] [--seed S]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.bench.simulate import simulate
from onewindow.core.errors import DomainError
from onewindow.core.timeutil import today


def years_list(value: str) -> list[int]:
    try:
        years = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise CommandError(
            f"--years: “{value}” should be years separated by commas, e.g. 2024,2025"
        ) from None
    if not years:
        raise CommandError("--years: give at least one year")
    return years


class Command(BaseCommand):
    help = "Generate a realistic dataset (applicants, applications, cases, materials, events)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="how many cases to generate")
        parser.add_argument("--years", default="", help="years to spread them over (default: the last three)")
        parser.add_argument("--seed", type=int, default=2025, help="random seed: same seed, same data")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 1:
            raise CommandError("--cases must be a positive number")
        this_year = today().year
        years = (
            years_list(options["years"]) if options["years"] else [this_year - 2, this_year - 1, this_year]
        )
        progress = (lambda line: None) if options["quiet"] else (lambda line: self.stdout.write(line))
        try:
            summary = simulate(cases=options["cases"], years=years, seed=options["seed"], progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"simulated {summary}")
