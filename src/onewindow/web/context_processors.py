from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from onewindow.org.selectors import hall_get_main
from onewindow.web.access import DEPARTMENT_ACTIONS, SUPERVISOR_ACTIONS, WINDOW_ACTIONS, can_any


def hall(request: HttpRequest) -> dict[str, object]:
    """The hall whose name heads every page (the setting is the fallback before set-up), and
    which workbench links the navigation shows: one per role the user holds (``org.authz``)."""
    main = hall_get_main()
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "hall": main,
        "hall_name": main.name if main else settings.ONEWINDOW_HALL_NAME,
        "nav_window": signed_in and can_any(user, WINDOW_ACTIONS),
        "nav_department": signed_in and can_any(user, DEPARTMENT_ACTIONS),
        "nav_supervisor": signed_in and can_any(user, SUPERVISOR_ACTIONS),
        "nav_stats": signed_in and can_any(user, ("stats.view",)),
        # AGPL-3.0 §13: users of the server are offered its source (ONEWINDOW_SOURCE_URL).
        "source_url": settings.ONEWINDOW_SOURCE_URL or "/source.tar.gz",
    }
