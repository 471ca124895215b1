#!/usr/bin/env python3
"""`make audit-deps` (part of `make test`): check the locked dependencies against known advisories.

Runs pip-audit over requirements.lock and requirements-dev.lock (hash-pinned, so pip-audit needs
no resolver: ``--disable-pip``) against PyPI's vulnerability data. The advisories are online only:
first a probe asks PyPI's JSON API about one locked package; if that does not answer with
vulnerability data (no network, a proxy that serves only the package index), the audit is
SKIPPED with a message saying so and the exit status is 0: a closed network never fails the
build, and never passes as "no vulnerabilities found" either. pip-audit's HTTP cache lives in
``var/cache/pip-audit``.

Exit status: 0 clean or skipped, 1 vulnerabilities found (pip-audit's report names them),
2 pip-audit itself failed. ``ONEWINDOW_AUDIT_PROBE_URL`` overrides the probe (tests).
Standard library only (pip-audit runs as a separate process).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = [ROOT / "requirements.lock", ROOT / "requirements-dev.lock"]
PROBE_URL = "https://pypi.org/pypi/{name}/{version}/json"


def first_pin(lock: Path) -> tuple[str, str]:
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", line)
        if match:
            return match.group(1), match.group(2)
    raise SystemExit(f"{lock}: no pinned package")


def advisories_reachable(url: str) -> tuple[bool, str]:
    """Whether ``url`` answers with PyPI's JSON including a ``vulnerabilities`` list."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - fixed https URL
            body = json.loads(answer.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"{url}: {exc}"
    if not isinstance(body, dict) or not isinstance(body.get("vulnerabilities"), list):
        return False, f"{url}: the answer holds no vulnerability data"
    return True, ""


def main() -> int:
    missing = [str(lock) for lock in LOCKS if not lock.is_file()]
    if missing:
        print(f"dependency audit FAILED: missing {', '.join(missing)} (run `make lock`)")
        return 2
    name, version = first_pin(LOCKS[0])
    url = os.environ.get("ONEWINDOW_AUDIT_PROBE_URL") or PROBE_URL.format(name=name, version=version)
    reachable, why = advisories_reachable(url)
    if not reachable:
        print(
            "dependency audit SKIPPED: PyPI's vulnerability data cannot be reached from here "
            f"({why}). Nothing was checked; run `make audit-deps` where the network allows."
        )
        return 0
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--vulnerability-service",
        "pypi",
        "--disable-pip",
        "--require-hashes",
        "--progress-spinner",
        "off",
        "--cache-dir",
        str(ROOT / "var" / "cache" / "pip-audit"),
    ]
    for lock in LOCKS:
        command += ["-r", str(lock)]
    result = subprocess.run(command, check=False)
    if result.returncode == 0:
        print("dependency audit OK: no known vulnerability in requirements.lock and requirements-dev.lock")
    elif result.returncode == 1:
        print("dependency audit FAILED: see the vulnerabilities above; upgrade the pins (`make lock`)")
    return min(result.returncode, 2)


if __name__ == "__main__":
    sys.exit(main())
