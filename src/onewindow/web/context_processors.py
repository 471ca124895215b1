from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from onewindow.org.selectors import hall_get_main


def hall(request: HttpRequest) -> dict[str, object]:
    """The hall whose name heads every page; the setting is the fallback before set-up."""
    main = hall_get_main()
    return {"hall": main, "hall_name": main.name if main else settings.ONEWINDOW_HALL_NAME}
