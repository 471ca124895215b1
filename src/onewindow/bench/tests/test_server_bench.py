"""The server benchmark's quick mode, end to end: a fresh SQLite database in a temporary var
directory, ``migrate`` + ``load-demo``, then ``onewindow bench --quick`` against a real gunicorn
process. It checks that the benchmark works (report written, every scenario measured, no failed
request), not that the targets are met. Runs in ``make test`` (about 40 s)."""

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
