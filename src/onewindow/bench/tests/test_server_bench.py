"""The server benchmark's quick mode, end to end: a fresh SQLite database in a temporary var
directory, ``migrate`` + ``load-demo``, then ``onewindow bench --quick`` against a real gunicorn
process. It checks that the benchmark works (report written, every scenario measured, no failed
request), not that the targets are met. Runs once in ``make test`` (about 40 s), in the SQLite run:
it makes its own SQLite database whatever ``DATABASE_URL`` says, so the PostgreSQL run would only
repeat it."""

import json
import os
import subprocess
import sys

import pytest


def onewindow(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "onewindow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.bench
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs on its own SQLite database: once per make test, in the SQLite run",
)
def test_the_server_benchmark_runs_in_quick_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in the temp dir
    env["ONEWINDOW_VAR_DIR"] = str(tmp_path / "var")
    env.pop("ONEWINDOW_DEMO_PASSWORD", None)
    out = tmp_path / "results"
    for args in (("migrate", "--noinput"), ("load-demo",)):
        done = onewindow(*args, env=env, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    done = onewindow("bench", "--quick", "--seconds", "2", "--out", str(out), env=env, timeout=120)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])

    report = json.loads((out / "server.json").read_text(encoding="utf-8"))
    assert report["mode"] == "quick"
    assert report["dataset"]["cases"] >= 300
    scenarios = {r["scenario"]: r for r in report["scenarios"]}
    assert set(scenarios) == {"worklist", "case_detail", "dashboard", "submission", "stats_month"}
    for name, result in scenarios.items():
        assert result["ok"] > 0 and result["errors"] == 0, result["error_samples"]
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
        assert result["targets"] or name == "submission"  # its ratio needs pgbench (PostgreSQL)
    submission = scenarios["submission"]
    assert submission["unit"] == "application" and submission["http_requests"] >= 4 * submission["ok"]
    assert submission["materials"] >= submission["ok"]
    assert report["errors"] == 0
    assert report["memory"]["peak_rss_mb"] > 0 and len(report["memory"]["workers"]) == 2
    assert "median ≤ 10 ms" in (out / "server.md").read_text(encoding="utf-8")
    assert "| case detail |" in done.stdout
    annual = report["annual_report"]
    assert annual["year"] and annual["cases_decided_in_year"] > 0 and annual["pdf_bytes"] > 0
    assert 0 < annual["build_s"] <= annual["build_and_pdf_s"]
    assert "annual report" in (out / "server.md").read_text(encoding="utf-8")


def _run(scenario: str, p50: float, p99: float) -> dict:
    return {"scenario": scenario, "title": scenario, "p50_ms": p50, "p99_ms": p99}


def test_scaling_compares_each_latency_scenario_with_the_baseline_run():
    from onewindow.bench import server

    report = {
        "scenarios": [
            _run("worklist", 12.0, 30.0),
            _run("case_detail", 40.0, 90.0),
            {**_run("submission", 500.0, 900.0), "unit": "application"},
            _run("stats_month", 100.0, 150.0),
        ]
    }
    baseline = {
        "at": "2026-12-02T07:00:00Z",
        "clients": 16,
        "dataset": {"cases": 100_000},
        "scenarios": [
            _run("worklist", 10.0, 20.0),
            _run("case_detail", 20.0, 60.0),
            _run("submission", 1, 1),
        ],
    }
    sc = server.scaling(report, baseline)
    rows = {r["scenario"]: r for r in sc["rows"]}
    assert set(rows) == {"worklist", "case_detail"}  # no submission (a throughput), no baseline for stats
    assert rows["worklist"]["median_ratio"] == 1.2 and rows["worklist"]["meets_target"]
    assert rows["case_detail"]["median_ratio"] == 2.0 and not rows["case_detail"]["meets_target"]
    assert rows["case_detail"]["p99_ratio"] == 1.5
    table = server.scaling_table({"scaling": sc})
    assert "100,000 cases" in table and "| case_detail | 40.00 | 20.00 | **2.00** | 1.50 | NO |" in table


def test_a_baseline_that_is_not_a_bench_report_is_refused(tmp_path):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "server.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not a server\.json"):
        call_command("bench", "--baseline", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("bench", "--baseline", str(tmp_path / "missing.json"))
