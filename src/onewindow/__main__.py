"""The ``onewindow`` command (also ``python -m onewindow``).

It wraps Django's management commands, with dashes allowed in names:
``onewindow serve``, ``onewindow migrate``, ``onewindow load-demo``, ``onewindow createuser``,
``onewindow audit verify``, ``onewindow deadline --from 2025-01-24 --days 5`` …
``onewindow help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onewindow", *args])


if __name__ == "__main__":
    main()
