"""``onewindow bench [--quick] [--cases N] [--clients 16] [--seconds 20] [--out bench-results]``.

Runs the scenarios of DESIGN.md §8 (department worklist, case detail, supervisor dashboard,
and application submission measured against pgbench on PostgreSQL) against a real gunicorn
process on the configured database and writes ``server.json`` and ``server.md``. Exit status:
non-zero when the benchmark itself fails (server does not start, login fails, any error response
or connection error), whatever the figures; ``--check-targets`` also fails when a target is missed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractYear
from django.urls import NoReverseMatch, reverse

from onewindow.bench import pgbench, server
from onewindow.bench.simulate import simulate
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import case_visible
from onewindow.catalog.models import ServiceItem
from onewindow.core.environment import env
from onewindow.core.timeutil import today
from onewindow.org.models import Applicant
from onewindow.stats.models import DailyRollup, Grain, RollupKind
from onewindow.stats.rollup import refresh
from onewindow.stats.selectors import default_region

DEFAULT_PASSWORD = "onewindow-demo"  # noqa: S105 - the published demo password
CLOSED = (CaseStatus.CLOSED, CaseStatus.DENIED, CaseStatus.REVOKED, CaseStatus.DELIVERED)


class Command(BaseCommand):
    help = "Benchmark the worklist, case detail and dashboard against a real gunicorn server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="CI mode: ~300 cases, 2 clients, 3 s each")
        parser.add_argument("--cases", type=int, default=None, help="simulate cases until the DB has N")
        parser.add_argument("--clients", type=int, default=None, help="concurrent clients (default 16)")
        parser.add_argument("--seconds", type=float, default=None, help="seconds per scenario (default 20)")
        parser.add_argument("--max-requests", type=int, default=200_000, help="cap per scenario")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--sample", type=int, default=500, help="case numbers sampled for case detail")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--out", type=Path, default=Path("bench-results"))
        parser.add_argument("--check-targets", action="store_true", help="also fail when a target is missed")
        parser.add_argument(
            "--baseline",
            type=Path,
            default=None,
            help="server.json of a run on a smaller database: latency ratios against the 1.5 × target",
        )
        parser.add_argument(
            "--no-submission", action="store_true", help="skip the submission scenario (it adds applications)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quick = options["quick"]
        clients = options["clients"] or (2 if quick else 16)
        seconds = options["seconds"] or (3.0 if quick else 20.0)
        wanted = options["cases"] if options["cases"] is not None else (300 if quick else 0)
        password = env("DEMO_PASSWORD", DEFAULT_PASSWORD) or DEFAULT_PASSWORD
        say = self.stdout.write
        baseline = None
        if options["baseline"] is not None:
            try:
                baseline = json.loads(options["baseline"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"--baseline: cannot read {options['baseline']}: {exc}") from exc
            if not isinstance(baseline, dict) or not isinstance(baseline.get("scenarios"), list):
                raise CommandError(
                    f"--baseline: {options['baseline']} is not a server.json of onewindow bench"
                )

        self.prepare(wanted=wanted, seed=options["seed"], say=say)
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages need
        # The statistics read daily rollups that the worker keeps fresh; bring them up to date
        # before measuring (pages leave a large refresh to the worker).
        started = time.perf_counter()
        refreshed = refresh()
        say(f"{refreshed} in {time.perf_counter() - started:.1f} s")

        scenarios = self.scenarios(sample=options["sample"], seed=options["seed"])
        if not options["no_submission"]:
            # Before the dashboard: requests of a slow scenario that the clients gave up on keep
            # the server's threads busy for a while, and would be charged to the next scenario.
            scenarios.insert(2, self.submission(seed=options["seed"]))
        reference = None
        if connection.vendor == "postgresql" and not options["no_submission"]:
            if pgbench.pgbench_binary() is None:
                say("pgbench not found: the submission ratio is not measured")
            else:

                def reference() -> dict[str, Any]:
                    return pgbench.run(clients=clients, seconds=seconds, out=options["out"])

        users = {s.user for s in scenarios}
        dataset = {
            "database": connection.vendor,
            "cases": Case.objects.count(),
            "open_cases": Case.objects.exclude(status__in=CLOSED).count(),
        }
        say(f"dataset: {dataset['cases']:,} cases ({dataset['open_cases']:,} open) on {dataset['database']}")
        # Release our own connection: the server is the one that should be measured.
        connection.close()
        try:
            report = server.run(
                scenarios=scenarios,
                passwords=dict.fromkeys(users, password),
                clients=clients,
                seconds=seconds,
                max_requests=options["max_requests"],
                warmup=3 if quick else 20,
                workers=options["workers"],
                threads=options["threads"],
                out=options["out"],
                dataset=dataset,
                progress=say,
                reference=reference,
            )
        except (server.BenchError, pgbench.PgbenchError) as exc:
            raise CommandError(str(exc)) from exc
        report["annual_report"] = self.annual_report(say)
        report["mode"] = "quick" if quick else "full"
        if baseline is not None:
            report["scaling"] = server.scaling(report, baseline)
        server.write_report(report, options["out"])
        say(server.table(report) + server.scaling_table(report))
        say(f"report in {options['out']}/server.json and server.md")
        sys.stdout.flush()
        if report["errors"]:
            samples = sorted({s for r in report["scenarios"] for s in r["error_samples"]})
            raise CommandError(f"{report['errors']} failed requests, e.g. {samples[:5]}")
        if options["check_targets"]:
            missed = [r["scenario"] for r in report["scenarios"] if not r["meets_targets"]]
            if not report["memory"]["meets_target"]:
                missed.append("memory")
            if report["annual_report"] and not report["annual_report"]["meets_target"]:
                missed.append("annual_report")
            missed += [
                f"scaling {r['scenario']}"
                for r in report.get("scaling", {}).get("rows", [])
                if not r["meets_target"]
            ]
            if missed:
                raise CommandError(f"targets missed: {', '.join(missed)}")

    def prepare(self, *, wanted: int, seed: int, say: Any) -> None:
        """Demo organisation and catalogue if missing, then simulated cases up to ``wanted``."""
        if not get_user_model().objects.filter(username=server.REVIEWER).exists():
            say("no demo users: loading the demo county (load-demo)")
            call_command("load_demo", verbosity=0, stdout=self.stdout)
        have = Case.objects.count()
        if have < wanted:
            this_year = today().year
            say(f"simulating {wanted - have:,} cases (the database has {have:,})")
            simulate(
                cases=wanted - have,
                years=[this_year - 2, this_year - 1, this_year],
                seed=seed + have,
                progress=lambda line: say(f"  {line}"),
                top_up=True,
            )
        if not Case.objects.exists():
            raise CommandError("no cases to benchmark: run `onewindow simulate --cases N` first")

    def scenarios(self, *, sample: int, seed: int) -> list[server.Scenario]:
        reviewer = get_user_model().objects.get(username=server.REVIEWER)
        numbers = self.sample_numbers(reviewer, sample=sample, seed=seed)
        if not numbers:
            raise CommandError(f"no case visible to {server.REVIEWER}: simulate more cases")
        found = [
            server.Scenario(
                "worklist",
                "department worklist (page of 50)",
                server.REVIEWER,
                ["/api/v1/cases/worklist?limit=50"],
            ),
            server.Scenario(
                "case_detail", "case detail", server.REVIEWER, [f"/api/v1/cases/{n}" for n in numbers]
            ),
        ]
        try:
            dashboard = reverse("web:supervisor")
        except NoReverseMatch:
            dashboard = None
        if dashboard and get_user_model().objects.filter(username=server.SUPERVISOR).exists():
            found.append(
                server.Scenario("dashboard", "supervisor dashboard page", server.SUPERVISOR, [dashboard])
            )
            month = self.busiest_month()
            if month:
                county = default_region(get_user_model().objects.get(username=server.SUPERVISOR))
                query = f"period=month&month={month}" + (f"&region={county.code}" if county else "")
                found.append(
                    server.Scenario(
                        "stats_month",
                        f"monthly statistics dashboard ({month}, all indicators, trend, breakdown)",
                        server.SUPERVISOR,
                        [f"{reverse('stats:dashboard')}?{query}"],
                    )
                )
        return found

    @staticmethod
    def busiest(bucket: Any) -> tuple[Any, int]:
        """The bucket (an expression of the month rows' first day) with the most decided cases,
        and how many; (None, 0) without rollups."""
        row = (
            DailyRollup.objects.filter(kind=RollupKind.DECIDED, grain=Grain.MONTH)
            .annotate(b=bucket)
            .values("b")
            .annotate(n=Sum("n"))
            .order_by("-n", "b")
            .first()
        )
        return (row["b"], row["n"]) if row else (None, 0)

    @classmethod
    def busiest_month(cls) -> str | None:
        """The month (YYYY-MM) with the most decided cases, from the rollups."""
        month, _n = cls.busiest(F("day"))
        return f"{month:%Y-%m}" if month else None

    @classmethod
    def annual_report(cls, say: Any) -> dict[str, Any]:
        """Build the annual report of the busiest full year in-process, timed: the document
        (every figure, problem and drill-down) and its PDF, against the 2 s target."""
        from onewindow.stats.report import build_report, render

        year, decided = cls.busiest(ExtractYear("day"))
        if year is None:
            return {}
        say(f"  annual report {year} …")
        refresh()  # the selectors only read: bring in the scenarios' submissions, untimed
        started = time.perf_counter()
        document = build_report(year, None)
        built = time.perf_counter() - started
        pdf = render(document, "pdf")
        total = time.perf_counter() - started
        return {
            "year": year,
            "cases_decided_in_year": decided,
            "build_s": round(built, 3),
            "build_and_pdf_s": round(total, 3),
            "pdf_bytes": len(pdf),
            "target_s": server.REPORT_TARGET_SECONDS,
            "meets_target": total <= server.REPORT_TARGET_SECONDS,
        }

    @staticmethod
    def submission(*, seed: int) -> server.Scenario:
        """Window intake by ``window1`` of applications for an item with six materials (one case
        each), for registered applicants drawn at random."""
        items = (
            ServiceItem.objects.filter(current_version__isnull=False, tier_town=False)
            .annotate(n=Count("current_version__requirements"))
            .order_by("current_version__needs_inspection", "code")
        )
        item = items.filter(n=6).first() or items.order_by("-n", "code").first()
        if item is None:
            raise CommandError("no published item to submit applications for")
        bounds = Applicant.objects.order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), bounds.last()
        if low is None:
            raise CommandError("no applicants: run `onewindow simulate` first")
        rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
        pks = {rng.randint(low, high) for _ in range(2000)}
        numbers = list(
            Applicant.objects.filter(pk__in=pks).order_by("pk").values_list("id_number", flat=True)
        )
        return server.Scenario(
            "submission",
            f"submit an application ({item.n} materials, 1 case)",
            server.WINDOW,
            numbers,
            kind="submit",
            item=item.code,
        )

    @staticmethod
    def sample_numbers(user: Any, *, sample: int, seed: int) -> list[str]:
        """Up to ``sample`` case numbers the reviewer may open, drawn by primary key at random
        (no ``ORDER BY random()`` on a million rows)."""
        rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
        bounds = Case.objects.order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), bounds.last()
        numbers: list[str] = []
        seen: set[int] = set()
        for _ in range(20):
            if len(numbers) >= sample:
                break
            pks = {rng.randint(low, high) for _ in range(sample * 4)} - seen
            seen |= pks
            for case in Case.objects.filter(pk__in=pks).select_related(
                "department", "step_department", "application__region"
            ):
                if case_visible(case, user):
                    numbers.append(case.number)
                    if len(numbers) >= sample:
                        break
            if len(seen) >= high - low + 1:
                break
        return numbers
