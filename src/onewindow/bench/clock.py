"""Benchmark: recompute 1,000,000 working-day deadlines after a calendar change.

Target (DESIGN.md §8): ≤ 2× ``numpy.busday_offset`` on the same input, measured in the same run.
``busday_offset`` only knows holidays and a weekly mask — it cannot express make-up working days
(调休) — so it is a speed reference, not a correctness one; our engine gives the legally correct
answer. Pure Python + numpy: no database needed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from onewindow.clock.seeding import seed_years
from onewindow.clock.workdays import WorkCalendar, bulk_add_working_days

TARGET_RATIO = 2.0


def national_calendar() -> WorkCalendar:
    years = seed_years()
    holidays = {d: n for y in years for d, n in y.holidays.items()}
    makeups = {d: n for y in years for d, n in y.makeup_workdays.items()}
    return WorkCalendar(
        first_year=years[0].year, last_year=years[-1].year, holidays=holidays, makeup_workdays=makeups
    )


def best_of(runs: int, fn) -> float:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    return min(timings)


def run(*, size: int, runs: int, seed: int) -> dict:
    cal = national_calendar()
    rng = np.random.default_rng(seed)
    first = np.datetime64(date(cal.first_year, 1, 1))
    span = (np.datetime64(date(cal.last_year - 1, 12, 1)) - first).astype(int)
    starts = first + rng.integers(0, span, size).astype("timedelta64[D]")
    ns = rng.integers(0, 66, size)  # 0 (instant) to 65 working days (seed 000's longest legal limit)
    holidays = np.array(sorted(cal.holidays), dtype="datetime64[D]")
    ours = best_of(runs, lambda: bulk_add_working_days(starts, ns, cal))
    reference = best_of(runs, lambda: np.busday_offset(starts, ns, roll="forward", holidays=holidays))
    ratio = ours / reference
    return {
        "scenario": "recompute working-day deadlines after a calendar change",
        "size": size,
        "runs": runs,
        "ours_seconds": round(ours, 6),
        "numpy_busday_offset_seconds": round(reference, 6),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "calendar_years": f"{cal.first_year}-{cal.last_year}",
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def write_report(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "clock.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    verdict = "meets" if result["meets_target"] else "MISSES"
    (out / "clock.md").write_text(
        "# Deadline recomputation benchmark\n\n"
        f"{result['size']:,} working-day deadlines (0–65 WD) on the national calendar "
        f"{result['calendar_years']}, best of {result['runs']} runs.\n\n"
        "| engine | seconds | ratio to numpy | target |\n|---|---|---|---|\n"
        f"| onewindow `bulk_add_working_days` | {result['ours_seconds']:.4f} | {result['ratio']:.2f}× "
        f"| ≤ {result['target_ratio']:.0f}× ({verdict}) |\n"
        f"| `numpy.busday_offset` (reference) | {result['numpy_busday_offset_seconds']:.4f} | 1.00× | |\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250124)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--quick", action="store_true", help="small run that checks the benchmark works")
    args = parser.parse_args(argv)
    size, runs = (10_000, 1) if args.quick else (args.size, args.runs)
    result = run(size=size, runs=runs, seed=args.seed)
    write_report(result, args.out)
    print(
        f"clock: {size:,} deadlines in {result['ours_seconds']:.4f}s, numpy.busday_offset "
        f"{result['numpy_busday_offset_seconds']:.4f}s, ratio {result['ratio']:.2f}× "
        f"(target ≤ {TARGET_RATIO:.0f}×: {'ok' if result['meets_target'] else 'MISSED'}); "
        f"report in {args.out}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
