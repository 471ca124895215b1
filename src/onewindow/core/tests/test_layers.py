"""DESIGN.md §3: imports point down the layers, never up or sideways.

Every ``import onewindow.<app>…`` in the code (module-level or inside a function: a lazy import is
still a dependency) is checked against the ranks below: an app may import its own modules, the
infrastructure everyone may use (``core``, ``audit``, ``notify``) and apps of a lower rank.
Tests and migrations are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/onewindow

# The kernel imports no app; audit and the notification outbox are used by everyone.
INFRASTRUCTURE = {"core": 0, "audit": 1, "notify": 1}
# DESIGN.md §3, lowest first: web, api ─> stats ─> supervision … ─> ratings, complaints ─> cases
# ─> licences; cases ─> catalog ─> credit ─> org, clock. Sign-in (accounts) answers the API's
# problem+json at the edge and serves the web's sign-in pages, so it sits between them: web > accounts > api.
RANKS = {
    "org": 2,
    "clock": 3,
    "credit": 4,
    "catalog": 5,
    "licences": 6,
    "enterprises": 6.5,  # 市场主体登记: uses licences (cancellation revokes), used by cases (issue 18)
    "cases": 7,
    "ratings": 8,
    "complaints": 8,
    "intermediaries": 9,
    "supervision": 10,
    "projects": 10,
    "policies": 10,
    "network": 10,
    "exchange": 10,
    "stats": 11,
    "api": 12,
    "accounts": 13,  # sign-in, lockout and two-factor enrolment: uses api.errors, used by web
    "web": 14,
    "bench": 15,  # benchmarks and the simulator drive everything
}
# The project package itself (settings, urls, the entry point) wires every app together.
WIRING = {"settings", "urls", "wsgi", "__main__", "conftest", "__init__"}


def _app_of(path: Path, root: Path = SRC) -> str | None:
    parts = path.relative_to(root).parts
    if len(parts) == 1:
        return None if path.stem in WIRING else path.stem
    return parts[0]


def _imported_apps(tree: ast.AST) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "onewindow" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


def _violations(root: Path = SRC) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.relative_to(root).parts or "migrations" in path.relative_to(root).parts:
            continue
        app = _app_of(path, root)
        if app is None:
            continue
        own = INFRASTRUCTURE.get(app, RANKS.get(app))
        assert own is not None, f"{app} has no layer: add it to DESIGN.md §3 and to RANKS"
        for other, line in _imported_apps(ast.parse(path.read_text(encoding="utf-8"))):
            if other == app:
                continue
            if other in INFRASTRUCTURE and (app not in INFRASTRUCTURE or INFRASTRUCTURE[other] < own):
                continue
            rank = RANKS.get(other)
            if rank is None or rank >= own or app in INFRASTRUCTURE:
                bad.append(f"{path.relative_to(root)}:{line} ({app}) imports {other}")
    return sorted(bad)


def test_every_app_imports_only_the_layers_below_it():
    assert _violations() == []


def test_the_kernel_imports_no_app():
    core = [v for v in _violations() if v.split(" (")[1].startswith("core)")]
    assert core == []


def test_an_upward_or_kernel_import_is_caught_wherever_it_is_written(tmp_path):
    # A fake tree, so the check is seen to find something (it cannot pass by scanning nothing).
    files = {
        "core/middleware.py": "from onewindow.audit.context import request_id_var\n",
        "cases/services.py": "def f():\n    from onewindow.web.access import staff_page\n",
        "stats/views.py": "import onewindow.web.access\n",
        "stats/selectors.py": "from onewindow.cases.models import Case\nfrom onewindow.core import errors\n",
        "audit/services.py": "from onewindow.core.timeutil import now\n",
        "cases/tests/test_x.py": "from onewindow.web import views\n",
        "cases/migrations/0001_initial.py": "import onewindow.stats.models\n",
        "settings.py": "from onewindow.web import urls\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert _violations(tmp_path) == [
        "cases/services.py:2 (cases) imports web",
        "core/middleware.py:1 (core) imports audit",
        "stats/views.py:1 (stats) imports web",
    ]
