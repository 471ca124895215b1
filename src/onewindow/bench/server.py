"""Server benchmark: the read scenarios of DESIGN.md §8 against a real gunicorn process.

``onewindow bench`` starts ``gunicorn onewindow.wsgi:application`` on a free loopback port with
the caller's environment (so the same ``DATABASE_URL``), waits for ``/healthz``, logs the demo
users in through ``/login`` (CSRF included), then drives each scenario with N concurrent
keep-alive clients for T seconds. The HTTP client is a small HTTP/1.1 client on asyncio streams
(standard library only): one connection per client, requests in sequence on it, so latency is
the round trip a browser would see on loopback. Bounded in count and time; loopback only.

Reported per scenario: requests, throughput, median / p95 / p99 / max latency, errors (any
status other than 200 or any connection error), and the gunicorn workers' resident memory
(``VmRSS`` and its peak ``VmHWM`` from ``/proc/<pid>/status``), each next to its target.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.1"
REVIEWER = "scjg_reviewer"
SUPERVISOR = "supervisor"
WINDOW = "window1"
MEMORY_TARGET_MB = 150.0
# DESIGN.md §8: worklist and case detail median ≤ 10 ms, p99 ≤ 50 ms (1 M cases, 16 clients,
# 2 cores); monthly dashboard ≤ 200 ms at 1 M cases (read here as the median).
TARGETS: dict[str, dict[str, float]] = {
    "worklist": {"p50_ms": 10.0, "p99_ms": 50.0},
    "case_detail": {"p50_ms": 10.0, "p99_ms": 50.0},
    "dashboard": {"p50_ms": 200.0},
    "stats_month": {"p50_ms": 200.0},
}
# DESIGN.md §8: the annual report within 2 s at 10 M cases (built in-process, see bench command).
REPORT_TARGET_SECONDS = 2.0
# DESIGN.md §8: submission throughput ≥ 40 % of pgbench's for a transaction of the same shape.
SUBMISSION_RATIO_TARGET = 0.40
SCALING_TARGET = 1.5  # latency at 10 M cases within 1.5 × of 100 k (DESIGN.md §8)
TARGET_CASES = 1_000_000
# A request is an error only when the server does not answer at all: a slow page under 16
# clients queues for many seconds (its latency is the measurement), so the time-out is generous.
REQUEST_TIMEOUT = 60.0


class BenchError(Exception):
    """The benchmark itself could not run (server did not start, login failed …)."""


# ---- a minimal HTTP/1.1 keep-alive client ------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def cookies(self) -> dict[str, str]:
        jar = {}
        for k, v in self.headers:
            if k == "set-cookie":
                pair = v.split(";", 1)[0]
                if "=" in pair:
                    key, value = pair.split("=", 1)
                    jar[key.strip()] = value.strip()
        return jar


class Connection:
    """One keep-alive connection to ``HOST:port``; reconnects if the server closed it."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT) -> None:
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        return await asyncio.wait_for(self._request(method, path, headers or {}, body), self.timeout)

    async def _request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "Connection: keep-alive"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            try:
                await self.writer.drain()
                response = await self._read()
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server may close an idle keep-alive connection: retry once on a fresh one.
                await self.close()
                if attempt == 2:
                    raise
                continue
            if (response.header("connection") or "").lower() == "close":
                await self.close()
            return response
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ConnectionError(f"bad status line {status_line!r}")
        status = int(parts[1])
        headers: list[tuple[str, str]] = []
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            key, _, value = line.decode("latin-1").partition(":")
            headers.append((key.strip().lower(), value.strip()))
        response = Response(status, headers, b"")
        if (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            response.body = b"".join(chunks)
        elif response.header("content-length") is not None:
            response.body = await self.reader.readexactly(int(response.header("content-length") or 0))
        elif status not in (204, 304):
            response.body = await self.reader.read()
            await self.close()
        return response


async def login(port: int, username: str, password: str) -> str:
    """Log in through ``/login`` like a browser; return the ``Cookie`` header for the session."""
    conn = Connection(port)
    try:
        page = await conn.request("GET", "/login")
        if page.status != 200:
            raise BenchError(f"GET /login answered {page.status}")
        csrf_cookie = page.cookies().get("csrftoken")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if not csrf_cookie or not found:
            raise BenchError("no CSRF token on /login")
        form = urlencode(
            {"csrfmiddlewaretoken": found.group(1).decode(), "username": username, "password": password}
        ).encode()
        answer = await conn.request(
            "POST",
            "/login",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Origin": f"http://{HOST}:{port}",
                "Referer": f"http://{HOST}:{port}/login",
            },
            body=form,
        )
        session = answer.cookies().get("sessionid")
        if answer.status != 302 or not session:
            raise BenchError(f"login as {username} failed (status {answer.status}, no session cookie)")
        return f"csrftoken={csrf_cookie}; sessionid={session}"
    finally:
        await conn.close()


# ---- scenarios -----------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    title: str
    user: str
    paths: list[str]
    # A write scenario: ``submit`` takes applications through intake (see ``_submitter``);
    # ``paths`` then holds the applicants' ID numbers and ``item`` the service item code.
    kind: str = "read"
    item: str = ""


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.errors += 1
        self.statuses[what] = self.statuses.get(what, 0) + 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)


async def _client(
    index: int, port: int, scenario: Scenario, cookie: str, stop_at: float, limit: int, outcome: Outcome
) -> None:
    conn = Connection(port)
    rng = random.Random(index)  # noqa: S311 - load pattern, not secrets
    headers = {"Cookie": cookie, "Accept": "application/json, text/html"}
    try:
        sent = 0
        while time.perf_counter() < stop_at and sent < limit:
            path = rng.choice(scenario.paths)
            sent += 1
            t0 = time.perf_counter()
            try:
                response = await conn.request("GET", path, headers=headers)
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                outcome.fail(f"{type(exc).__name__} on {path}")
                await conn.close()
                continue
            elapsed = time.perf_counter() - t0
            if response.status == 200:
                outcome.latencies.append(elapsed)
                outcome.statuses["200"] = outcome.statuses.get("200", 0) + 1
            else:
                outcome.fail(f"{response.status} on {path}")
    finally:
        await conn.close()


def _csrf(cookie: str) -> str:
    return next((p.split("=", 1)[1] for p in cookie.split("; ") if p.startswith("csrftoken=")), "")


async def _submitter(
    index: int, port: int, scenario: Scenario, cookie: str, stop_at: float, limit: int, outcome: Outcome
) -> None:
    """Window intake of whole applications through the API, one after the other: create (the
    checklist comes from the catalogue), mark each material not yet there as provided on paper,
    submit, accept (the application gets its number and its case). The latency recorded is the
    whole application's; ``outcome.statuses`` also counts the HTTP requests."""
    conn = Connection(port)
    rng = random.Random(index)  # noqa: S311 - load pattern, not secrets
    headers = {
        "Cookie": cookie,
        "X-CSRFToken": _csrf(cookie),
        "Origin": f"http://{HOST}:{port}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    base = "/api/v1/cases/applications"

    async def post(path: str, body: dict[str, Any], expect: int) -> dict[str, Any] | None:
        try:
            response = await conn.request("POST", path, headers=headers, body=json.dumps(body).encode())
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            outcome.fail(f"{type(exc).__name__} on POST {path}")
            await conn.close()
            return None
        outcome.statuses["http_requests"] = outcome.statuses.get("http_requests", 0) + 1
        if response.status != expect:
            outcome.fail(f"{response.status} on POST {path}: {response.body[:200]!r}")
            return None
        return json.loads(response.body)

    try:
        sent = 0
        while time.perf_counter() < stop_at and sent < limit:
            sent += 1
            t0 = time.perf_counter()
            app = await post(
                base,
                {
                    "applicant_id_number": rng.choice(scenario.paths),
                    "item_code": scenario.item,
                    "channel": "window",
                },
                201,
            )
            if app is None:
                continue
            ref = app["draft_ref"]
            ok = True
            for material in app["materials"]:
                if material["state"] in ("missing",) and ok:
                    ok = (
                        await post(
                            f"{base}/{ref}/materials/{material['key']}/mark", {"state": "provided"}, 200
                        )
                        is not None
                    )
            if not ok or await post(f"{base}/{ref}/submit", {}, 200) is None:
                continue
            accepted = await post(f"{base}/{ref}/accept", {}, 200)
            if accepted is None:
                continue
            if not accepted.get("number") or len(accepted.get("cases", [])) != 1:
                outcome.fail(f"accepted {ref} without a number or a single case")
                continue
            outcome.latencies.append(time.perf_counter() - t0)
            outcome.statuses["200"] = outcome.statuses.get("200", 0) + 1
            materials = outcome.statuses.setdefault("materials", 0)
            outcome.statuses["materials"] = materials + len(accepted.get("materials", []))
    finally:
        await conn.close()


async def run_scenario(
    port: int,
    scenario: Scenario,
    cookie: str,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    warmup: int,
) -> dict[str, Any]:
    # Warm-up: every worker thread opens its database connection and fills its caches.
    client = _submitter if scenario.kind == "submit" else _client
    warm = Outcome()
    await asyncio.gather(
        *(client(i, port, scenario, cookie, time.perf_counter() + 5, warmup, warm) for i in range(clients))
    )
    outcome = Outcome()
    per_client = max(1, max_requests // clients)
    t0 = time.perf_counter()
    await asyncio.gather(
        *(client(100 + i, port, scenario, cookie, t0 + seconds, per_client, outcome) for i in range(clients))
    )
    wall = time.perf_counter() - t0
    return summarise(scenario, outcome, wall, clients, warm.errors)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0–100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summarise(scenario: Scenario, outcome: Outcome, wall: float, clients: int, warm_errors: int) -> dict:
    ms = sorted(v * 1000 for v in outcome.latencies)
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "title": scenario.title,
        "user": scenario.user,
        "clients": clients,
        "seconds": round(wall, 3),
        "requests": len(ms) + outcome.errors,
        "ok": len(ms),
        "errors": outcome.errors + warm_errors,
        "error_samples": outcome.error_samples,
        "throughput_rps": round(len(ms) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(ms), 2) if ms else None,
        "p95_ms": round(percentile(ms, 95), 2) if ms else None,
        "p99_ms": round(percentile(ms, 99), 2) if ms else None,
        "max_ms": round(ms[-1], 2) if ms else None,
        "distinct_paths": len(scenario.paths),
    }
    if scenario.kind == "submit":
        http = outcome.statuses.get("http_requests", 0)
        result["unit"] = "application"
        result["http_requests"] = http
        result["http_rps"] = round(http / wall, 1) if wall else 0.0
        result["materials"] = outcome.statuses.get("materials", 0)
    targets = TARGETS.get(scenario.name, {})
    result["targets"] = targets
    result["meets_targets"] = bool(ms) and all(
        result[key] is not None and result[key] <= limit for key, limit in targets.items()
    )
    return result


# ---- the server process ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn onewindow.wsgi:application`` as a child process, stopped on exit."""

    def __init__(self, *, workers: int, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.log = None

    def __enter__(self) -> Server:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "onewindow.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--keep-alive",
            "30",
            "--graceful-timeout",
            "5",
            "--no-control-socket",  # several servers (tests, `make demo`) may run side by side
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ), start_new_session=True
        )
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://{HOST}:{self.port}/healthz"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer {url} within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid …": comm may hold spaces, so split after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_memory(self) -> list[dict[str, Any]]:
        rows = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            rows.append(
                {
                    "pid": pid,
                    "rss_mb": round(int(values.get("VmRSS", 0)) / 1024, 1),
                    "peak_rss_mb": round(int(values.get("VmHWM", 0)) / 1024, 1),
                }
            )
        return rows

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


# ---- the run -----------------------------------------------------------------------------------


def run(
    *,
    scenarios: list[Scenario],
    passwords: dict[str, str],
    clients: int,
    seconds: float,
    max_requests: int,
    warmup: int,
    workers: int,
    threads: int,
    out: Path,
    dataset: dict[str, Any],
    progress: Any = print,
    reference: Any = None,
) -> dict[str, Any]:
    """Run ``scenarios`` against a fresh gunicorn; then, with the server stopped so that it has
    the machine to itself, ``reference()`` (pgbench) for the submission scenario's ratio."""
    results = []
    memory: dict[int, dict[str, Any]] = {}
    load = {"start": [round(x, 2) for x in os.getloadavg()]}
    with Server(workers=workers, threads=threads, log_path=out / "server-gunicorn.log") as server:
        progress(f"gunicorn on {HOST}:{server.port}: {workers} workers × {threads} threads")
        boot = server.worker_memory()
        cookies = {user: asyncio.run(login(server.port, user, passwords[user])) for user in passwords}
        for scenario in scenarios:
            progress(f"  {scenario.name}: {clients} clients × {seconds:g} s …")
            result = asyncio.run(
                run_scenario(
                    server.port,
                    scenario,
                    cookies[scenario.user],
                    clients=clients,
                    seconds=seconds,
                    max_requests=max_requests,
                    warmup=warmup,
                )
            )
            result["load_avg_1m"] = round(os.getloadavg()[0], 2)
            results.append(result)
            for row in server.worker_memory():
                seen = memory.setdefault(row["pid"], row)
                seen["rss_mb"] = max(seen["rss_mb"], row["rss_mb"])
                seen["peak_rss_mb"] = max(seen["peak_rss_mb"], row["peak_rss_mb"])
        workers_now = server.worker_memory()
    load["end"] = [round(x, 2) for x in os.getloadavg()]
    submission = next((r for r in results if r.get("unit") == "application"), None)
    if submission is not None and reference is not None:
        progress(f"  pgbench reference: {clients} clients × {seconds:g} s …")
        ref = reference()
        ratio = submission["throughput_rps"] / ref["tps"] if ref["tps"] else 0.0
        submission["reference"] = ref
        submission["ratio"] = round(ratio, 4)
        submission["targets"] = {"ratio": SUBMISSION_RATIO_TARGET}
        submission["meets_targets"] = submission["errors"] == 0 and ratio >= SUBMISSION_RATIO_TARGET
    peak = max((row["peak_rss_mb"] for row in memory.values()), default=0.0)
    report = {
        "benchmark": "server scenarios (DESIGN.md §8)",
        "load_avg": load,
        "server": {"workers": workers, "threads": threads, "cpus": os.cpu_count()},
        "dataset": dataset,
        "target_cases": TARGET_CASES,
        "clients": clients,
        "seconds_per_scenario": seconds,
        "scenarios": results,
        "memory": {
            "workers": sorted(memory.values(), key=lambda r: r["pid"]),
            "workers_at_boot": boot,
            "workers_at_end": workers_now,
            "peak_rss_mb": peak,
            "target_mb": MEMORY_TARGET_MB,
            "meets_target": 0 < peak <= MEMORY_TARGET_MB,
        },
        "errors": sum(r["errors"] for r in results),
        "python": platform.python_version(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return report


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def table(report: dict[str, Any]) -> str:
    """The Markdown table: each figure next to its target."""
    lines = [
        "| scenario | requests | req/s | median ms | p95 ms | p99 ms | max ms | errors | target | meets |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["scenarios"]:
        target = ", ".join(
            f"{'median' if k == 'p50_ms' else k[:-3]} ≤ {v:g} ms"
            for k, v in r["targets"].items()
            if k != "ratio"
        )
        if r.get("unit") == "application":
            ref = r.get("reference")
            target = (
                f"≥ {SUBMISSION_RATIO_TARGET:.0%} of pgbench ({ref['tps']:.0f} tps): **{r['ratio']:.1%}**"
                if ref
                else f"≥ {SUBMISSION_RATIO_TARGET:.0%} of pgbench (not measured)"
            )
        lines.append(
            f"| {r['title']} | {r['requests']} | {r['throughput_rps']:.1f} | {_fmt(r['p50_ms'])} | "
            f"{_fmt(r['p95_ms'])} | {_fmt(r['p99_ms'])} | {_fmt(r['max_ms'])} | {r['errors']} | "
            f"{target or '—'} | {'yes' if r['meets_targets'] else 'NO'} |"
        )
    mem = report["memory"]
    lines.append(
        f"| worker resident memory (peak VmHWM of {len(mem['workers'])} workers) | | | | | | | | "
        f"≤ {mem['target_mb']:g} MB: **{mem['peak_rss_mb']:.1f} MB** | "
        f"{'yes' if mem['meets_target'] else 'NO'} |"
    )
    rep = report.get("annual_report") or {}
    if rep:
        lines.append(
            f"| annual report {rep['year']} ({rep['cases_decided_in_year']:,} cases decided; "
            f"built in-process, with its PDF) | 1 | | {rep['build_and_pdf_s'] * 1000:.0f} | | | | 0 | "
            f"≤ {rep['target_s']:g} s (at 10 M cases) | {'yes' if rep['meets_target'] else 'NO'} |"
        )
    return "\n".join(lines)


def extra(report: dict[str, Any]) -> str:
    """What the table does not say: the machine's load and the submission scenario's details."""
    lines = []
    load = report.get("load_avg") or {}
    if load:
        per = ", ".join(f"{r['scenario']} {r.get('load_avg_1m', '?')}" for r in report["scenarios"])
        lines.append(
            f"Load average (1/5/15 min) at start {load.get('start')}, at end {load.get('end')}; "
            f"1-minute load after each scenario: {per}."
        )
    for r in report["scenarios"]:
        if r.get("unit") != "application":
            continue
        lines.append(
            f"Submission: {r['ok']} applications accepted ({r['materials']} material rows, "
            f"{r['http_requests']} HTTP requests, {r['http_rps']:.1f} requests/s); each is create + "
            "mark the materials not yet there + submit + accept, its latency the whole intake."
        )
        ref = r.get("reference")
        if ref:
            lines.append(
                f"pgbench ({ref['clients']} clients, {ref['seconds']:g} s, same database, server stopped): "
                f"{ref['tps']:.1f} tps, average latency {ref['latency_avg_ms']} ms for "
                f"{ref['shape']}; ratio {r['ratio']:.2%} against the target "
                f"{SUBMISSION_RATIO_TARGET:.0%}."
            )
    mem = report["memory"]
    if mem.get("workers_at_boot"):
        boot = ", ".join(f"{w['rss_mb']:.1f}" for w in mem["workers_at_boot"])
        lines.append(f"Worker RSS right after boot: {boot} MB.")
    return ("\n\n" + "\n\n".join(lines)) if lines else ""


def scaling(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Each latency scenario's median and p99 against the same scenario of ``baseline`` (a
    ``server.json`` of a run on a smaller database), next to the 1.5 × target."""
    before = {r["scenario"]: r for r in baseline.get("scenarios", [])}
    rows = []
    for r in report["scenarios"]:
        b = before.get(r["scenario"])
        if r.get("unit") == "application" or b is None or not b.get("p50_ms") or not r.get("p50_ms"):
            continue
        median = r["p50_ms"] / b["p50_ms"]
        p99 = r["p99_ms"] / b["p99_ms"] if b.get("p99_ms") and r.get("p99_ms") else None
        rows.append(
            {
                "scenario": r["scenario"],
                "title": r["title"],
                "median_ms": r["p50_ms"],
                "baseline_median_ms": b["p50_ms"],
                "median_ratio": round(median, 3),
                "p99_ratio": None if p99 is None else round(p99, 3),
                "meets_target": median <= SCALING_TARGET,
            }
        )
    return {
        "baseline_at": baseline.get("at"),
        "baseline_cases": baseline.get("dataset", {}).get("cases"),
        "baseline_clients": baseline.get("clients"),
        "target_ratio": SCALING_TARGET,
        "rows": rows,
    }


def scaling_table(report: dict[str, Any]) -> str:
    sc = report.get("scaling")
    if not sc:
        return ""
    lines = [
        "",
        "",
        f"Latency against the baseline run of {sc['baseline_at']} ({sc['baseline_cases']:,} cases, "
        f"{sc['baseline_clients']} clients), target ≤ {sc['target_ratio']:g} × (read on the median):",
        "",
        "| scenario | median ms | baseline median ms | median × | p99 × | meets |",
        "|---|---|---|---|---|---|",
    ]
    for r in sc["rows"]:
        lines.append(
            f"| {r['title']} | {r['median_ms']:.2f} | {r['baseline_median_ms']:.2f} | "
            f"**{r['median_ratio']:.2f}** | {_fmt(r['p99_ratio'])} | {'yes' if r['meets_target'] else 'NO'} |"
        )
    return "\n".join(lines)


def write_report(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "server.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    ds = report["dataset"]
    note = (
        ""
        if ds["cases"] >= report["target_cases"]
        else f"\n\n**Note:** the latency targets are defined at {report['target_cases']:,} cases; "
        f"this run had {ds['cases']:,}, so the verdicts are indicative only."
    )
    (out / "server.md").write_text(
        "# Server benchmark (DESIGN.md §8)\n\n"
        f"Run {report['at']} against gunicorn ({report['server']['workers']} workers × "
        f"{report['server']['threads']} threads, {report['server']['cpus']} CPUs) on {ds['database']} "
        f"with {ds['cases']:,} cases ({ds['open_cases']:,} open); {report['clients']} concurrent "
        f"keep-alive clients, {report['seconds_per_scenario']:g} s per scenario after a warm-up.\n\n"
        f"{table(report)}{note}{scaling_table(report)}{extra(report)}\n",
        encoding="utf-8",
    )
